/**
 * picocli, compiled here from its own sources for Java 21 (its jar's classes are Java 5's). The descriptor is
 * picocli's own: the same module name, java.sql optional.
 */
module info.picocli {
    requires static java.sql;

    exports picocli;
}
