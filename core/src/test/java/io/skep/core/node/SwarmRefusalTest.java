package io.skep.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.skep.core.api.ApiException;
import org.junit.jupiter.api.Test;

/** The swarm lifecycle's refusals as the control API answers them: Docker's status, the words unchanged. */
class SwarmRefusalTest {

    private static void answers(int status, SwarmStateException refusal) {
        ApiException answer = Daemon.apiError(refusal);
        assertEquals(status, answer.status(), refusal.kind().name());
        assertEquals(refusal.getMessage(), answer.getMessage());
    }

    @Test
    void eachKindIsAnsweredWithDockersStatus() {
        answers(400, new SwarmStateException(SwarmStateException.Kind.INVALID_ARGUMENT, "invalid join token"));
        answers(
                400,
                new SwarmStateException(
                        SwarmStateException.Kind.NOT_A_MANAGER,
                        "--force-new-cluster: this node is not a manager of a swarm"));
        answers(
                503,
                new SwarmStateException(
                        SwarmStateException.Kind.ALREADY_IN_SWARM,
                        "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and "
                                + "join another one."));
        answers(503, new SwarmStateException(SwarmStateException.Kind.UNAVAILABLE, "connection refused"));
        answers(
                403,
                new SwarmStateException(
                        SwarmStateException.Kind.PERMISSION_DENIED, SwarmJoin.CA_MISMATCH + "sha256:abc"));
    }

    @Test
    void aManagersRefusalOfTheJoinPassesOnAsDockerAnswersIt() {
        answers(403, SwarmJoin.refusal(401, "invalid join token")); // the token refused: permission denied
        answers(503, SwarmJoin.refusal(500, "the swarm is still starting")); // a failure: try again
        answers(503, SwarmJoin.refusal(503, "no leader"));
        answers(409, SwarmJoin.refusal(409, "node x is already a member of this swarm"));
        answers(400, SwarmJoin.refusal(400, "invalid NodeId"));
        answers(429, SwarmJoin.refusal(429, "too many connections"));
        assertEquals("invalid NodeId", SwarmJoin.refusal(400, "invalid NodeId").getMessage());
    }
}
