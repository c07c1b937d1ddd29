/**
 * The {@code skep} command line: the docker CLI's swarm commands, flags and output against a skep daemon, through
 * {@code io.skep.client}. The client image holds it alone; the node image adds {@code skep daemon}
 * ({@link io.skep.cli.Main#commandLine} takes extra commands).
 */
module io.skep.cli {
    requires transitive io.skep.client;
    requires transitive info.picocli;

    exports io.skep.cli;

    opens io.skep.cli to
            info.picocli;
}
