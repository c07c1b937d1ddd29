/**
 * The task runtime {@code docker}: each task is a container of the Docker engine that answers at the option
 * {@code docker.host} (default {@code DOCKER_HOST}, else {@code unix:///var/run/docker.sock}), driven through
 * docker-java. The engine holds
 * all the state: a container carries its task's ID and its node's ID as labels, which is how a restarted node
 * finds its containers again and how several nodes share one engine. Exports nothing: the core finds it through
 * {@link java.util.ServiceLoader}.
 */
module io.skep.runtime.docker {
    requires io.skep.spi;
    requires com.github.dockerjava;

    provides io.skep.spi.runtime.TaskRuntimeProvider with
            io.skep.runtime.docker.DockerRuntimeProvider;
}
