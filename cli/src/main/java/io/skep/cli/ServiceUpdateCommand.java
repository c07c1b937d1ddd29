package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.client.ApiPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code skep service update [OPTIONS] SERVICE}: GET the service, merge the flags into its full spec, POST
 * {@code /services/{ID}/update?version=N}, print the name, then wait for convergence unless {@code -d}.
 */
@Command(name = "update", customSynopsis = "skep service update [OPTIONS] SERVICE", description = "Update a service")
final class ServiceUpdateCommand extends ApiCommand {

    @Mixin
    ServiceOptions opts;

    @Option(names = "--image", paramLabel = "IMAGE", description = "Service image tag")
    String image;

    @Option(names = "--args", paramLabel = "ARGS", description = "Service command args")
    String args;

    @Option(names = "--env-add", paramLabel = "K=V", description = "Add or update an environment variable")
    List<String> envAdd = new ArrayList<>();

    @Option(names = "--env-rm", paramLabel = "K", description = "Remove an environment variable")
    List<String> envRm = new ArrayList<>();

    @Option(names = "--label-add", paramLabel = "K=V", description = "Add or update a service label")
    List<String> labelAdd = new ArrayList<>();

    @Option(names = "--label-rm", paramLabel = "K", description = "Remove a label by its key")
    List<String> labelRm = new ArrayList<>();

    @Option(names = "--constraint-add", paramLabel = "EXPR", description = "Add or update a placement constraint")
    List<String> constraintAdd = new ArrayList<>();

    @Option(names = "--constraint-rm", paramLabel = "EXPR", description = "Remove a constraint")
    List<String> constraintRm = new ArrayList<>();

    @Option(names = "--placement-pref-add", paramLabel = "PREF", description = "Add a placement preference")
    List<String> placementPrefAdd = new ArrayList<>();

    @Option(names = "--placement-pref-rm", paramLabel = "PREF", description = "Remove a placement preference")
    List<String> placementPrefRm = new ArrayList<>();

    @Option(names = "--publish-add", paramLabel = "PORT", description = "Add or update a published port")
    List<String> publishAdd = new ArrayList<>();

    @Option(names = "--publish-rm", paramLabel = "PORT", description = "Remove a published port by its target port")
    List<String> publishRm = new ArrayList<>();

    @Option(names = "--network-add", paramLabel = "NETWORK", description = "Add a network")
    List<String> networkAdd = new ArrayList<>();

    @Option(names = "--network-rm", paramLabel = "NETWORK", description = "Remove a network")
    List<String> networkRm = new ArrayList<>();

    @Option(names = "--force", arity = "0..1", description = "Force update even if no changes require it")
    boolean force;

    @Option(names = "--rollback", arity = "0..1", description = "Rollback to previous specification")
    boolean rollback;

    @Option(
            names = "--rebalance",
            arity = "0..1",
            description = "Move tasks once until the spread is even, within the update parallelism (skep)")
    boolean rebalance;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "Service name or ID")
    String service;

    /** True when some flag other than these, -d and -q was given. */
    private boolean flagsBut(String... these) {
        Set<String> ignored = new HashSet<>(List.of(these));
        ignored.add("--detach");
        ignored.add("--quiet");
        return spec.commandLine().getParseResult().matchedOptions().stream()
                .anyMatch(o -> !ignored.contains(o.longestName()));
    }

    /** Merges the flags into a copy of {@code current}. */
    ObjectNode merge(JsonNode current) {
        if (!(current instanceof ObjectNode currentSpec)) {
            throw new CliException("the daemon returned a service without a spec");
        }
        ObjectNode spec = currentSpec.deepCopy();

        ObjectNode labels = Json.objectAt(spec, "Labels");
        labelRm.forEach(labels::remove);
        ServiceSpecs.keyValues(labelAdd).forEach(labels::put);
        opts.applyRuntime(labels);
        opts.applyRebalance(labels);

        ObjectNode task = Json.objectAt(spec, "TaskTemplate");
        ObjectNode cs = Json.objectAt(task, "ContainerSpec");
        if (image != null) {
            cs.put("Image", image);
        }
        if (args != null) {
            List<String> split;
            try {
                split = ServiceSpecs.shellSplit(args);
            } catch (IllegalArgumentException e) {
                throw invalidFlag("--args", args, e.getMessage());
            }
            if (split.isEmpty()) {
                cs.remove("Args");
            } else {
                cs.set("Args", Json.stringArray(split));
            }
        }
        if (!envAdd.isEmpty() || !envRm.isEmpty()) {
            Set<String> remove = new HashSet<>(envRm);
            List<String> env = new ArrayList<>(Json.strings(cs.get("Env")));
            env.removeIf(e -> remove.contains(ServiceSpecs.envKey(e)));
            List<String> add = new ArrayList<>();
            for (String e : envAdd) {
                try {
                    add.add(ServiceSpecs.env(e, ctx().env));
                } catch (IllegalArgumentException ex) {
                    throw invalidFlag("--env-add", e, ex.getMessage());
                }
            }
            env = ServiceSpecs.mergeEnv(env, add);
            if (env.isEmpty()) {
                cs.remove("Env");
            } else {
                cs.set("Env", Json.stringArray(env));
            }
        }
        opts.applyContainerFields(cs, this);

        if (opts.resourcesChanged()) {
            opts.applyResources(Json.objectAt(task, "Resources"), this);
        }
        if (opts.restartChanged()) {
            task.set("RestartPolicy", opts.restartPolicy(task.get("RestartPolicy"), this));
        }
        if (!constraintAdd.isEmpty() || !constraintRm.isEmpty()) {
            ObjectNode placement = Json.objectAt(task, "Placement");
            List<String> constraints = new ArrayList<>(Json.strings(placement.get("Constraints")));
            constraints.addAll(constraintAdd);
            Set<String> remove = new HashSet<>(constraintRm);
            constraints.removeIf(remove::contains);
            constraints.sort(null);
            placement.set("Constraints", Json.stringArray(constraints));
        }
        if (!placementPrefAdd.isEmpty() || !placementPrefRm.isEmpty()) {
            // docker's order: the removals first, then the additions at the end
            ObjectNode placement = Json.objectAt(task, "Placement");
            com.fasterxml.jackson.databind.node.ArrayNode prefs = Json.MAPPER.createArrayNode();
            Set<String> remove = new HashSet<>(placementPrefRm);
            for (com.fasterxml.jackson.databind.JsonNode p : Json.elements(placement.get("Preferences"))) {
                if (!remove.contains(ServiceSpecs.preferenceText(p))) {
                    prefs.add(p);
                }
            }
            for (String pref : placementPrefAdd) {
                try {
                    prefs.add(ServiceSpecs.preference(pref));
                } catch (IllegalArgumentException e) {
                    throw invalidFlag("--placement-pref-add", pref, e.getMessage());
                }
            }
            placement.set("Preferences", prefs);
        }

        ObjectNode mode = Json.objectAt(spec, "Mode");
        opts.applyReplicas(mode, this);
        if (opts.replicasMaxPerNode != null) {
            opts.applyMaxReplicas(Json.objectAt(task, "Placement"), mode, this);
        }

        if (opts.updateConfigChanged()) {
            spec.set("UpdateConfig", opts.updateConfig(spec.get("UpdateConfig"), this));
        }
        if (!publishAdd.isEmpty() || !publishRm.isEmpty()) {
            ObjectNode endpoint = Json.objectAt(spec, "EndpointSpec");
            ArrayNode ports = endpoint.get("Ports") instanceof ArrayNode a ? a : endpoint.putArray("Ports");
            ServiceSpecs.removePorts(ports, publishRm);
            List<ObjectNode> add = new ArrayList<>();
            for (String p : publishAdd) {
                try {
                    add.add(ServiceSpecs.port(p));
                } catch (IllegalArgumentException e) {
                    throw invalidFlag("--publish-add", p, e.getMessage());
                }
            }
            ServiceSpecs.addPorts(ports, add);
        }
        if (!networkAdd.isEmpty() || !networkRm.isEmpty()) {
            updateNetworks(task);
        }
        if (opts.endpointMode != null) {
            opts.applyEndpointMode(Json.objectAt(spec, "EndpointSpec"));
        }
        if (force) {
            task.put("ForceUpdate", Json.number(task, "ForceUpdate") + 1);
        }
        return spec;
    }

    /**
     * docker's {@code --network-rm} then {@code --network-add}: a network is named by name or ID, the spec holds IDs;
     * adding one the service is on already is an error.
     */
    private void updateNetworks(ObjectNode task) {
        Set<String> remove = new HashSet<>();
        for (String ref : networkRm) {
            remove.add(ref);
            try {
                remove.add(Json.text(api().get(ApiPath.of("/networks/{}", ref)).body(), "Id"));
            } catch (io.skep.client.DaemonException gone) {
                // a network that no longer exists is removed by the name or ID as given
            }
        }
        List<ObjectNode> kept = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode n : Json.elements(task.get("Networks"))) {
            if (n instanceof ObjectNode o && !remove.contains(Json.text(o, "Target"))) {
                kept.add(o);
            }
        }
        for (String n : networkAdd) {
            ObjectNode attachment;
            try {
                attachment = ServiceSpecs.network(api(), n);
            } catch (IllegalArgumentException e) {
                throw invalidFlag("--network-add", n, e.getMessage());
            }
            String target = Json.text(attachment, "Target");
            if (kept.stream().anyMatch(k -> Json.text(k, "Target").equals(target))) {
                throw new CliException("service is already attached to network " + n);
            }
            kept.add(attachment);
        }
        kept.sort((a, b) -> Json.text(a, "Target").compareTo(Json.text(b, "Target")));
        ArrayNode networks = task.putArray("Networks");
        kept.forEach(networks::add);
    }

    @Override
    protected int run() {
        if (rollback && flagsBut("--rollback")) {
            throw new CliException("other flags may not be combined with --rollback");
        }
        JsonNode current = api().get(ApiPath.of("/services/{}", service).query("insertDefaults", "false"))
                .body();
        String id = Json.text(current, "ID");
        if (!rebalance || flagsBut("--rebalance")) {
            ObjectNode spec = merge(Json.at(current, "Spec"));
            ApiPath path = ApiPath.of("/services/{}/update", id)
                    .query("registryAuthFrom", "spec")
                    .query("rollback", rollback ? "previous" : null)
                    .query("version", Json.number(current, "Version", "Index"));
            JsonNode answer = api().post(path, spec).body();
            for (String warning : Json.strings(Json.at(answer, "Warnings"))) {
                err().println(warning);
            }
        }
        if (rebalance) {
            api().post(ApiPath.of("/services/{}/rebalance", id), Json.object());
        }
        out().println(service);
        out().flush();
        if (opts.detach) {
            return 0;
        }
        ServiceProgress.waitOn(ctx(), service, opts.quiet);
        return 0;
    }
}
