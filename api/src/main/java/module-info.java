/**
 * The Docker Engine API's swarm objects (services, tasks, nodes, the swarm) as JSON maps them: the daemon stores and
 * serves them, its client and the CLI read them. Nothing of the daemon's.
 */
module io.skep.api {
    requires transitive com.fasterxml.jackson.databind;

    exports io.skep.api.model;

    opens io.skep.api.model to
            com.fasterxml.jackson.databind;
}
