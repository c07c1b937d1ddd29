/**
 * The task runtime {@code process}: tasks run as processes of the host itself, from the image {@code host}
 * (the host's own filesystem). The embedded default where no Docker engine answers, and the runtime of
 * multi-node tests in network namespaces. Exports nothing: the core finds it through
 * {@link java.util.ServiceLoader}.
 */
module io.skep.runtime.process {
    requires io.skep.spi;

    provides io.skep.spi.runtime.TaskRuntimeProvider with
            io.skep.runtime.process.ProcessRuntimeProvider;
}
