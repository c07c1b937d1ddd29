package io.skep.bench.docker;

import java.util.List;

/**
 * What the engine shows of one service's containers at one poll.
 *
 * @param running          containers running
 * @param runningWithImage containers running the image the step expects (by image ID)
 * @param all              containers in any state (created, running, exited, ...), not yet removed
 */
record Snapshot(int running, int runningWithImage, int all) {

    /** One container as the engine lists it ({@code GET /containers/json?all=1}). */
    record Container(String id, String state, String imageId) {}

    static Snapshot of(List<Container> containers, String imageId) {
        int running = 0;
        int withImage = 0;
        for (Container c : containers) {
            if ("running".equals(c.state())) {
                running++;
                if (imageId != null && imageId.equals(c.imageId())) {
                    withImage++;
                }
            }
        }
        return new Snapshot(running, withImage, containers.size());
    }
}
