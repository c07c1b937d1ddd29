package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.client.DaemonException;
import io.skep.client.DaemonUnavailableException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skep version}: the client's version and the daemon's ({@code GET /version}), docker's layout. */
@Command(name = "version", customSynopsis = "skep version [OPTIONS]", description = "Show the skep version information")
final class VersionCommand extends ApiCommand {

    @Option(
            names = {"-f", "--format"},
            paramLabel = "FORMAT",
            description = "Format output: json, or a Go-style template such as '{{.Server.Version}}'")
    String format;

    static ObjectNode clientVersion() {
        ObjectNode client = Json.object();
        client.put("Version", SkepVersion.get());
        client.put("JavaVersion", Runtime.version().toString());
        client.put("Os", osName());
        client.put("Arch", arch());
        return client;
    }

    static String osName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            return "linux";
        }
        if (os.startsWith("mac")) {
            return "darwin";
        }
        return os.startsWith("windows") ? "windows" : os;
    }

    static String arch() {
        String arch = System.getProperty("os.arch", "");
        return switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    @Override
    protected int run() {
        ObjectNode client = clientVersion();
        JsonNode server = null;
        RuntimeException failure = null;
        try {
            server = api().get("/version").body();
        } catch (DaemonException | DaemonUnavailableException e) {
            failure = e;
        }
        if (format != null && !format.isEmpty()) {
            ObjectNode all = Json.object();
            all.set("Client", client);
            all.set("Server", server);
            if (format.equals("json")) {
                out().println(Json.compact(all));
            } else {
                out().println(Template.parse(format).renderNode(all));
            }
        } else {
            out().print(pretty(client, server));
        }
        if (failure != null) {
            throw new CliException(Main.errorText(failure));
        }
        return 0;
    }

    /** docker's {@code defaultVersionTemplate} through a tab writer (min width 20, padding 1). */
    static String pretty(JsonNode client, JsonNode server) {
        StringBuilder sb = new StringBuilder();
        sb.append("Client:\n");
        sb.append(" Version:\t").append(Json.text(client, "Version")).append('\n');
        sb.append(" Java version:\t").append(Json.text(client, "JavaVersion")).append('\n');
        sb.append(" OS/Arch:\t").append(Json.text(client, "Os")).append('/').append(Json.text(client, "Arch"));
        if (server != null) {
            String platform = Json.text(server, "Platform", "Name");
            sb.append("\n\nServer:").append(platform.isEmpty() ? "" : " " + platform);
            List<JsonNode> components = new ArrayList<>(Json.elements(Json.at(server, "Components")));
            if (components.stream().noneMatch(c -> "Engine".equals(Json.text(c, "Name")))) {
                ObjectNode engine = Json.object();
                engine.put("Name", "Engine");
                engine.put("Version", Json.text(server, "Version"));
                ObjectNode details = engine.putObject("Details");
                details.put("ApiVersion", Json.text(server, "ApiVersion"));
                details.put("MinAPIVersion", Json.text(server, "MinAPIVersion"));
                details.put("Os", Json.text(server, "Os"));
                details.put("Arch", Json.text(server, "Arch"));
                components.add(engine);
            }
            for (JsonNode c : components) {
                String name = Json.text(c, "Name");
                JsonNode details = Json.at(c, "Details");
                sb.append("\n ").append(name).append(':');
                if (name.equals("Engine")) {
                    sb.append("\n  Version:\t").append(Json.text(c, "Version"));
                    sb.append("\n  API version:\t")
                            .append(Json.text(details, "ApiVersion"))
                            .append(" (minimum version ")
                            .append(Json.text(details, "MinAPIVersion"))
                            .append(')');
                    Set<String> shown = Set.of(
                            "ApiVersion",
                            "MinAPIVersion",
                            "Os",
                            "Arch",
                            "GitCommit",
                            "BuildTime",
                            "Experimental",
                            "GoVersion",
                            "JavaVersion");
                    String topGo = Json.text(server, "GoVersion");
                    if (Json.has(details, "JavaVersion")) {
                        sb.append("\n  Java version:\t").append(Json.text(details, "JavaVersion"));
                    } else if (!Json.has(details, "GoVersion") && topGo.startsWith("java ")) {
                        sb.append("\n  Java version:\t").append(topGo.substring("java ".length()));
                    }
                    if (Json.has(details, "GoVersion")) {
                        sb.append("\n  Go version:\t").append(Json.text(details, "GoVersion"));
                    }
                    if (Json.has(details, "GitCommit")) {
                        sb.append("\n  Git commit:\t").append(Json.text(details, "GitCommit"));
                    }
                    if (Json.has(details, "BuildTime")) {
                        sb.append("\n  Built:\t").append(ansiDate(Json.text(details, "BuildTime")));
                    }
                    sb.append("\n  OS/Arch:\t")
                            .append(Json.text(details, "Os"))
                            .append('/')
                            .append(Json.text(details, "Arch"));
                    if (Json.has(details, "Experimental")) {
                        sb.append("\n  Experimental:\t").append(Json.text(details, "Experimental"));
                    }
                    for (Map.Entry<String, String> e : new TreeMap<>(NodeCommand.stringMap(details)).entrySet()) {
                        if (!shown.contains(e.getKey())) {
                            sb.append("\n  ").append(e.getKey()).append(":\t").append(e.getValue());
                        }
                    }
                } else {
                    sb.append("\n  Version:\t").append(Json.text(c, "Version"));
                    new TreeMap<>(NodeCommand.stringMap(details))
                            .forEach((k, v) ->
                                    sb.append("\n  ").append(k).append(":\t").append(v));
                }
            }
        }
        sb.append('\n');
        return new TabWriter(20, 1).write(sb.toString()).render();
    }

    /** Go's {@code time.ANSIC} of an RFC 3339 time ({@code Mon Jan  2 15:04:05 2006}); anything else as is. */
    static String ansiDate(String timestamp) {
        try {
            Instant t = Instant.parse(timestamp);
            return DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss uuuu", Locale.ROOT)
                    .format(t.atOffset(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return timestamp;
        }
    }
}
