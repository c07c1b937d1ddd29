package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code skep service create [OPTIONS] IMAGE [COMMAND] [ARG...]}: POST /services/create with a Docker
 * ServiceSpec, print the ID, then wait for convergence unless {@code -d}.
 */
@Command(
        name = "create",
        customSynopsis = "skep service create [OPTIONS] IMAGE [COMMAND] [ARG...]",
        description = "Create a new service")
final class ServiceCreateCommand extends ApiCommand {

    @Mixin
    ServiceOptions opts;

    @Option(names = "--name", paramLabel = "NAME", description = "Service name")
    String name;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            description = "Service mode (\"replicated\", \"global\") (default \"replicated\")")
    String mode = "replicated";

    @Option(
            names = {"-e", "--env"},
            paramLabel = "K=V",
            description = "Set environment variables")
    List<String> env = new ArrayList<>();

    @Option(
            names = {"-l", "--label"},
            paramLabel = "K=V",
            description = "Service labels")
    List<String> labels = new ArrayList<>();

    @Option(names = "--constraint", paramLabel = "EXPR", description = "Placement constraints")
    List<String> constraints = new ArrayList<>();

    @Option(
            names = "--placement-pref",
            paramLabel = "PREF",
            description = "Add a placement preference (spread=node.labels.X)")
    List<String> placementPrefs = new ArrayList<>();

    @Option(
            names = {"-p", "--publish"},
            paramLabel = "PORT",
            description = "Publish a port as a node port ([published:]target[/protocol], or published=,target=,...)")
    List<String> publish = new ArrayList<>();

    @Option(names = "--network", paramLabel = "NETWORK", description = "Network attachments")
    List<String> networks = new ArrayList<>();

    @Option(
            names = "--init",
            arity = "0..1",
            description = "Use an init inside each service container to forward signals and reap processes")
    boolean init;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image (or, for the process runtime, the program)")
    String image;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "COMMAND", description = "Command and arguments")
    List<String> args = new ArrayList<>();

    /** The ServiceSpec the flags describe, laid out as the docker CLI sends it. */
    ObjectNode spec() {
        ObjectNode spec = Json.object();
        if (name != null && !name.isEmpty()) {
            spec.put("Name", name);
        }
        Map<String, String> labelMap = new LinkedHashMap<>(ServiceSpecs.keyValues(labels));
        ObjectNode labelNode = Json.stringMap(labelMap);
        opts.applyRuntime(labelNode);
        opts.applyRebalance(labelNode);
        spec.set("Labels", labelNode);

        ObjectNode task = spec.putObject("TaskTemplate");
        ObjectNode cs = task.putObject("ContainerSpec");
        cs.put("Image", image);
        if (!args.isEmpty()) {
            cs.set("Args", Json.stringArray(args));
        }
        if (opts.hostname != null && !opts.hostname.isEmpty()) {
            cs.put("Hostname", opts.hostname);
        }
        List<String> envList = new ArrayList<>();
        for (String e : env) {
            try {
                envList.add(ServiceSpecs.env(e, ctx().env));
            } catch (IllegalArgumentException ex) {
                throw invalidFlag("--env", e, ex.getMessage());
            }
        }
        envList = ServiceSpecs.mergeEnv(List.of(), envList);
        if (!envList.isEmpty()) {
            cs.set("Env", Json.stringArray(envList));
        }
        if (opts.workdir != null && !opts.workdir.isEmpty()) {
            cs.put("Dir", opts.workdir);
        }
        if (opts.user != null && !opts.user.isEmpty()) {
            cs.put("User", opts.user);
        }
        cs.put("Init", init);
        if (opts.stopSignal != null && !opts.stopSignal.isEmpty()) {
            cs.put("StopSignal", opts.stopSignal);
        }
        if (opts.stopGracePeriod != null) {
            cs.put("StopGracePeriod", ServiceOptions.duration(this, "--stop-grace-period", opts.stopGracePeriod));
        }
        cs.putObject("DNSConfig");

        opts.applyResources(task.putObject("Resources"), this);
        if (opts.restartChanged()) {
            task.set("RestartPolicy", opts.restartPolicy(null, this));
        }
        ObjectNode placement = task.putObject("Placement");
        if (!constraints.isEmpty()) {
            placement.set("Constraints", Json.stringArray(constraints));
        }
        if (!placementPrefs.isEmpty()) {
            com.fasterxml.jackson.databind.node.ArrayNode prefs = placement.putArray("Preferences");
            for (String pref : placementPrefs) {
                try {
                    prefs.add(ServiceSpecs.preference(pref));
                } catch (IllegalArgumentException e) {
                    throw invalidFlag("--placement-pref", pref, e.getMessage());
                }
            }
        }
        if (!networks.isEmpty()) {
            List<ObjectNode> attachments = new ArrayList<>();
            for (String n : networks) {
                try {
                    attachments.add(ServiceSpecs.network(api(), n));
                } catch (IllegalArgumentException e) {
                    throw invalidFlag("--network", n, e.getMessage());
                }
            }
            attachments.sort((a, b) -> Json.text(a, "Target").compareTo(Json.text(b, "Target")));
            ArrayNode nw = task.putArray("Networks");
            attachments.forEach(nw::add);
        }
        task.put("ForceUpdate", 0);

        ObjectNode modeNode = spec.putObject("Mode");
        switch (mode) {
            case "replicated" -> modeNode.putObject("Replicated");
            case "global" -> {
                if (opts.replicas != null) {
                    throw new CliException("replicas can only be used with replicated or replicated-job mode");
                }
                modeNode.putObject("Global");
            }
            default -> throw new CliException("unknown mode: " + mode + ", only replicated and global supported");
        }
        opts.applyReplicas(modeNode, this);
        opts.applyMaxReplicas(placement, modeNode, this);
        if (opts.updateConfigChanged()) {
            spec.set("UpdateConfig", opts.updateConfig(null, this));
        }
        ObjectNode endpoint = spec.putObject("EndpointSpec");
        endpoint.put("Mode", "vip");
        opts.applyEndpointMode(endpoint);
        if (!publish.isEmpty()) {
            ArrayNode ports = endpoint.putArray("Ports");
            for (String p : publish) {
                try {
                    ports.add(ServiceSpecs.port(p));
                } catch (IllegalArgumentException e) {
                    throw invalidFlag("--publish", p, e.getMessage());
                }
            }
        }
        return spec;
    }

    @Override
    protected int run() {
        ObjectNode spec = spec();
        JsonNode answer = api().post("/services/create", spec).body();
        for (String warning : Json.strings(Json.at(answer, "Warnings"))) {
            err().println(warning);
        }
        String id = Json.text(answer, "ID");
        out().println(id);
        out().flush();
        if (opts.detach) {
            return 0;
        }
        ServiceProgress.waitOn(ctx(), id, opts.quiet);
        return 0;
    }
}
