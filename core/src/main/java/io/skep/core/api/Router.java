package io.skep.core.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Maps method and path to a route. Paths may carry a Docker API version prefix ({@code /v1.41/services}),
 * which is stripped; patterns name their parameters as {@code {id}}.
 */
public final class Router {
    private static final Pattern VERSION_PREFIX = Pattern.compile("^/v\\d+(\\.\\d+)?(?=/)");

    /** A route's code. */
    @FunctionalInterface
    public interface Route {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    private record Entry(String method, String[] segments, Route route) {}

    private final List<Entry> entries = new ArrayList<>();
    /** Run before every read (GET) route: brings what it reads up to date. */
    private final Runnable beforeReads;

    public Router() {
        this(() -> {});
    }

    /** A router whose GET routes run {@code beforeReads} first. */
    public Router(Runnable beforeReads) {
        this.beforeReads = beforeReads;
    }

    public Router add(String method, String pattern, Route route) {
        Route r = method.equals("GET")
                ? request -> {
                    beforeReads.run();
                    return route.handle(request);
                }
                : route;
        entries.add(new Entry(method, split(pattern), r));
        return this;
    }

    public static String stripVersion(String path) {
        return VERSION_PREFIX.matcher(path).replaceFirst("");
    }

    /** The matching route and its path parameters; 404 for an unknown path, 405 for a wrong method. */
    public Match match(String method, String path) {
        String[] segments = split(path);
        boolean pathKnown = false;
        for (Entry e : entries) {
            Map<String, String> params = bind(e.segments, segments);
            if (params == null) {
                continue;
            }
            pathKnown = true;
            String m = method.equals("HEAD") && !e.method.equals("HEAD") ? "GET" : method;
            if (e.method.equals(m)) {
                return new Match(e.route, params);
            }
        }
        if (pathKnown) {
            throw new ApiException(405, "method " + method + " is not allowed on " + path);
        }
        throw ApiException.notFound("page not found");
    }

    public record Match(Route route, Map<String, String> params) {}

    private static Map<String, String> bind(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                params.put(p.substring(1, p.length() - 1), path[i]);
            } else if (!p.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/");
    }
}
