package io.skep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Go durations, go-units, natural order, the tab writer, templates and shell splitting. */
class FormattingTest {

    @Test
    void parsesGoDurations() {
        assertEquals(10_000_000_000L, GoDuration.parseNanos("10s"));
        assertEquals(90_000_000_000L, GoDuration.parseNanos("1m30s"));
        assertEquals(500_000_000L, GoDuration.parseNanos("500ms"));
        assertEquals(5_400_000_000_000L, GoDuration.parseNanos("1.5h"));
        assertEquals(9_900_000_000_000L, GoDuration.parseNanos("2h45m"));
        assertEquals(300_000L, GoDuration.parseNanos("300us"));
        assertEquals(300_000L, GoDuration.parseNanos("300µs"));
        assertEquals(42L, GoDuration.parseNanos("42ns"));
        assertEquals(1_500_000L, GoDuration.parseNanos("1.5ms"));
        assertEquals(500_000_000L, GoDuration.parseNanos(".5s"));
        assertEquals(0L, GoDuration.parseNanos("0"));
        assertEquals(-1_000_000_000L, GoDuration.parseNanos("-1s"));

        assertEquals(
                "time: invalid duration \"\"",
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos(""))
                        .getMessage());
        assertEquals(
                "time: missing unit in duration \"10\"",
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos("10"))
                        .getMessage());
        assertEquals(
                "time: unknown unit \"x\" in duration \"1x\"",
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos("1x"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos("s"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos("1..2s"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos("-"));
        assertEquals(
                "duration cannot be negative",
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNonNegative("-5s"))
                        .getMessage());
    }

    @Test
    void formatsGoDurations() {
        assertEquals("0s", GoDuration.format(0));
        assertEquals("5s", GoDuration.format(5_000_000_000L));
        assertEquals("1m30s", GoDuration.format(90_000_000_000L));
        assertEquals("1h0m0s", GoDuration.format(3_600_000_000_000L));
        assertEquals("500ms", GoDuration.format(500_000_000L));
        assertEquals("1.5s", GoDuration.format(1_500_000_000L));
        assertEquals("300µs", GoDuration.format(300_000L));
        assertEquals("42ns", GoDuration.format(42L));
        assertEquals("-2s", GoDuration.format(-2_000_000_000L));
    }

    @Test
    void humanDurationsAsGoUnits() {
        assertEquals("Less than a second", Text.humanDuration(Duration.ofMillis(999)));
        assertEquals("1 second", Text.humanDuration(Duration.ofSeconds(1)));
        assertEquals("7 seconds", Text.humanDuration(Duration.ofSeconds(7)));
        assertEquals("About a minute", Text.humanDuration(Duration.ofSeconds(119)));
        assertEquals("2 minutes", Text.humanDuration(Duration.ofSeconds(120)));
        assertEquals("About an hour", Text.humanDuration(Duration.ofMinutes(60)));
        assertEquals("2 hours", Text.humanDuration(Duration.ofMinutes(90)));
        assertEquals("3 days", Text.humanDuration(Duration.ofDays(3)));
        assertEquals("3 weeks", Text.humanDuration(Duration.ofDays(21)));
        assertEquals("3 months", Text.humanDuration(Duration.ofDays(90)));
        assertEquals("2 years", Text.humanDuration(Duration.ofDays(800)));
        assertEquals("292 years", Text.humanDuration(Text.since(Text.GO_ZERO_TIME, Skep.NOW)));
    }

    @Test
    void bytesSizesAsGoUnits() {
        assertEquals("1.953GiB", Text.bytesSize(2_097_152_000L));
        assertEquals("20MiB", Text.bytesSize(20_971_520L));
        assertEquals("512B", Text.bytesSize(512));
        assertEquals("1.5KiB", Text.bytesSize(1536));
        assertEquals("1000KiB", Text.bytesSize(1_024_000L));
    }

    @Test
    void idsImagesAndNaturalOrder() {
        assertEquals("6ccoyw7yo70c", Text.truncateId("6ccoyw7yo70c12dvli4ya1z1e"));
        assertEquals("abc", Text.truncateId("abc"));
        assertEquals("0123456789ab", Text.truncateId("sha256:0123456789abcdef"));
        assertEquals("Running", Text.prettyPrint("running"));
        assertEquals("Leader", Text.prettyPrint("LEADER"));
        assertEquals("", Text.prettyPrint(""));

        assertEquals("nginx:1.27", TaskPrinter.displayImage("nginx:1.27@sha256:abc"));
        assertEquals("nginx:1.27", TaskPrinter.displayImage("docker.io/library/nginx:1.27"));
        assertEquals("foo/bar:1", TaskPrinter.displayImage("docker.io/foo/bar:1"));
        assertEquals("localhost:5000/app:2", TaskPrinter.displayImage("localhost:5000/app:2@sha256:abc"));
        assertEquals("nginx@sha256:abc", TaskPrinter.displayImage("nginx@sha256:abc"));
        assertEquals("localhost:5000/app", TaskPrinter.displayImage("localhost:5000/app"));

        List<String> names = new ArrayList<>(List.of("service-10-foo", "service-2-foo", "service-1-foo", "a"));
        names.sort(Text.NATURAL);
        assertEquals(List.of("a", "service-1-foo", "service-2-foo", "service-10-foo"), names);
        assertEquals("a", Text.ellipsis("abc", 1));
        assertEquals("ab…", Text.ellipsis("abcdef", 3));
        assertEquals("abc", Text.ellipsis("abc", 3));
    }

    @Test
    void tabWriterAlignsLikeGo() {
        String out = new TabWriter(10, 3)
                .write("ID\tNAME\tPORTS\n")
                .write("abc\ta-very-long-name\t\n")
                .write("abcdefghijkl\tx\t*:80->80/tcp\n")
                .render();
        assertEquals(
                "ID             NAME               PORTS\n"
                        + "abc            a-very-long-name   \n"
                        + "abcdefghijkl   x                  *:80->80/tcp\n",
                out);

        // a line without the column ends the column block
        assertEquals(
                "a:   x\nsection\nlonger-key:   y\n",
                new TabWriter(0, 3).write("a:\tx\nsection\nlonger-key:\ty\n").render());
    }

    @Test
    void templatesRenderRowsAndJson() {
        Map<String, String> row = Map.of("ID", "abc", "Name", "web", "_Hidden", "x");
        assertEquals("web abc\n", Template.renderRows("{{.Name}} {{ .ID }}", Map.of(), List.of(row)));
        assertEquals("{\"ID\":\"abc\",\"Name\":\"web\"}\n", Template.renderRows("{{json .}}", Map.of(), List.of(row)));
        assertEquals("\"web\"\n", Template.renderRows("{{json .Name}}", Map.of(), List.of(row)));
        assertEquals(
                "N         I\nweb       abc\n",
                Template.renderRows("table {{.Name}}\\t{{.ID}}", Map.of("Name", "N", "ID", "I"), List.of(row)));
        CliException e =
                assertThrows(CliException.class, () -> Template.renderRows("{{.Nope}}", Map.of(), List.of(row)));
        assertEquals("template parsing error: template: :1: can't evaluate field Nope", e.getMessage());
        assertThrows(CliException.class, () -> Template.parse("{{if .Name}}x{{end}}"));
    }

    @Test
    void shellSplittingForArgs() {
        assertEquals(List.of("sh", "-c", "echo \"hi there\""), ServiceSpecs.shellSplit("sh -c 'echo \"hi there\"'"));
        assertEquals(List.of("a b", "c"), ServiceSpecs.shellSplit("\"a b\" c"));
        assertEquals(List.of("a b"), ServiceSpecs.shellSplit("a\\ b"));
        assertEquals(List.of(""), ServiceSpecs.shellSplit("''"));
        assertEquals(List.of(), ServiceSpecs.shellSplit("   "));
        assertThrows(IllegalArgumentException.class, () -> ServiceSpecs.shellSplit("'open"));
    }

    @Test
    void portsAndEnv() {
        assertEquals(
                "{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishedPort\":8080,\"PublishMode\":\"ingress\"}",
                ServiceSpecs.port("8080:80").toString());
        assertEquals(
                "{\"Protocol\":\"udp\",\"TargetPort\":53,\"PublishedPort\":0,\"PublishMode\":\"ingress\"}",
                ServiceSpecs.port("53/udp").toString());
        assertEquals(
                "{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishedPort\":8080,\"PublishMode\":\"host\"}",
                ServiceSpecs.port("mode=host,target=80,published=8080").toString());
        assertThrows(IllegalArgumentException.class, () -> ServiceSpecs.port("abc"));
        assertThrows(IllegalArgumentException.class, () -> ServiceSpecs.port("published=1"));

        assertEquals("K=v", ServiceSpecs.env("K", Map.of("K", "v")));
        assertEquals("K", ServiceSpecs.env("K", Map.of()));
        assertEquals("K=", ServiceSpecs.env("K=", Map.of("K", "v")));
        assertThrows(IllegalArgumentException.class, () -> ServiceSpecs.env("=v", Map.of()));
        assertEquals(List.of("B=2", "A=3"), ServiceSpecs.mergeEnv(List.of("A=1", "B=2"), List.of("A=3", "B=2")));
    }

    @Test
    void servicePortsColumnGroupsRanges() {
        var ports = CannedDaemon.parse("""
                [{"Protocol":"tcp","TargetPort":80,"PublishedPort":80,"PublishMode":"ingress"},
                 {"Protocol":"tcp","TargetPort":81,"PublishedPort":81,"PublishMode":"ingress"},
                 {"Protocol":"tcp","TargetPort":80,"PublishedPort":82,"PublishMode":"ingress"},
                 {"Protocol":"udp","TargetPort":53,"PublishedPort":53,"PublishMode":"ingress"},
                 {"Protocol":"tcp","TargetPort":90,"PublishedPort":9000,"PublishMode":"host"}]""");
        assertEquals("*:80-81->80-81/tcp, *:82->80/tcp, *:53->53/udp", ServiceCommand.ports(ports));
    }
}
