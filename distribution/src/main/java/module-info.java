/**
 * The test driver of the jlinked {@code skep} image: {@link io.skep.distribution.SkepImage} finds an image and
 * runs its {@code bin/skep} as an operator would. It reads none of the image's modules; it only starts them as
 * processes.
 */
module io.skep.distribution {
    exports io.skep.distribution;
}
