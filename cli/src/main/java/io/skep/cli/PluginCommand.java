package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code skep plugin}: the plugins the daemon loaded. */
@Command(
        name = "plugin",
        customSynopsis = "skep plugin COMMAND",
        description = "Manage plugins",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {PluginCommand.Ls.class, PluginCommand.Inspect.class})
final class PluginCommand extends CommandGroup {

    static final String DEFAULT_TABLE = "table {{.Type}}\t{{.Name}}\t{{.Module}}\t{{.Description}}";

    static final Map<String, String> HEADERS = Map.of(
            "ID",
            "ID",
            "Type",
            "TYPE",
            "Name",
            "NAME",
            "Module",
            "MODULE",
            "Description",
            "DESCRIPTION",
            "Enabled",
            "ENABLED");

    /** {@code skep.runtime/1} is {@code runtime}; several interface types are joined with commas. */
    static String type(JsonNode plugin) {
        List<String> types = new ArrayList<>();
        for (String t : Json.strings(Json.at(plugin, "Config", "Interface", "Types"))) {
            String kind = t.contains("/") ? t.substring(0, t.indexOf('/')) : t;
            types.add(kind.contains(".") ? kind.substring(kind.lastIndexOf('.') + 1) : kind);
        }
        return String.join(",", types);
    }

    /** {@code skep plugin ls}. */
    @Command(name = "ls", customSynopsis = "skep plugin ls [OPTIONS]", aliases = "list", description = "List plugins")
    static final class Ls extends ApiCommand {

        @Option(
                names = {"-q", "--quiet"},
                arity = "0..1",
                description = "Only display plugin IDs")
        boolean quiet;

        @Option(names = "--no-trunc", arity = "0..1", description = "Don't truncate output")
        boolean noTrunc;

        @Option(
                names = "--format",
                paramLabel = "FORMAT",
                description = "Format output: table, json, or a Go-style template such as '{{.Name}}'")
        String format;

        @Override
        protected int run() {
            JsonNode plugins = api().get("/plugins").body();
            if ("json".equals(format)) {
                out().println(Json.compact(plugins == null ? Json.array() : plugins));
                return 0;
            }
            List<JsonNode> list = Json.elements(plugins);
            list.sort(Comparator.comparing(PluginCommand::type, Text.NATURAL)
                    .thenComparing(p -> Json.text(p, "Name"), Text.NATURAL));
            List<Map<String, String>> rows = new ArrayList<>();
            for (JsonNode p : list) {
                Map<String, String> row = new LinkedHashMap<>();
                String id = Json.text(p, "Id");
                row.put("ID", noTrunc ? id : Text.truncateId(id));
                row.put("Type", type(p));
                row.put("Name", Json.text(p, "Name"));
                row.put("Module", Json.text(p, "PluginReference"));
                String description = Json.text(p, "Config", "Description");
                row.put("Description", noTrunc ? description : Text.ellipsis(description, 45));
                row.put("Enabled", Json.text(p, "Enabled"));
                rows.add(row);
            }
            String fmt = format == null || format.isEmpty() || format.equals("table")
                    ? (quiet ? "{{.ID}}" : DEFAULT_TABLE)
                    : format;
            out().print(Template.renderRows(fmt, HEADERS, rows));
            return 0;
        }
    }

    /** {@code skep plugin inspect}: a plugin as the API shows it, with its options and the values set. */
    @Command(
            name = "inspect",
            customSynopsis = "skep plugin inspect [OPTIONS] PLUGIN [PLUGIN...]",
            description = "Display detailed information on one or more plugins")
    static final class Inspect extends ApiCommand {

        @Option(
                names = {"-f", "--format"},
                paramLabel = "FORMAT",
                description = "Format output: json, or a Go-style template such as '{{.Settings.Env}}'")
        String format;

        @Parameters(arity = "1..*", paramLabel = "PLUGIN", description = "a plugin's name, or its ID (TYPE/NAME)")
        List<String> refs;

        @Override
        protected int run() {
            List<JsonNode> plugins = Json.elements(api().get("/plugins").body());
            List<JsonNode> found = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (String ref : refs) {
                List<JsonNode> matches = plugins.stream()
                        .filter(p -> ref.equals(Json.text(p, "Id")) || ref.equals(Json.text(p, "Name")))
                        .toList();
                if (matches.isEmpty()) {
                    errors.add("Error: No such plugin: " + ref);
                }
                found.addAll(matches);
            }
            Inspection.print(out(), found, format);
            if (!errors.isEmpty()) {
                throw new CliException(String.join("\n", errors));
            }
            return 0;
        }
    }
}
