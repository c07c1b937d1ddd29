package io.skep.cli;

/** The version of this skep build: the module version, else the jar's Implementation-Version, else "dev". */
public final class SkepVersion {

    private SkepVersion() {}

    public static String get() {
        Module module = SkepVersion.class.getModule();
        if (module.isNamed() && module.getDescriptor() != null) {
            var raw = module.getDescriptor().rawVersion();
            if (raw.isPresent()) {
                return raw.get();
            }
        }
        String impl = SkepVersion.class.getPackage().getImplementationVersion();
        return impl != null ? impl : "dev";
    }
}
