package io.wxgate.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every request of a run, one CSV line each (name, start and end in epoch ms, HTTP status or 0 for no answer,
 * ok), written at the end of the run when {@code -Dtimeline=FILE} names where: the report (run.sh) takes
 * throughput over a run's steady part, latency second by second and status codes from it, none of which Gatling's
 * own files give in a readable form. Request names hold no comma.
 */
final class Timeline {

    private static final String FILE = System.getProperty("timeline", "");
    private static final ConcurrentLinkedQueue<Line> LINES = new ConcurrentLinkedQueue<>();

    private record Line(String name, long startedAt, long endedAt, int status, boolean ok) {
    }

    private Timeline() {
    }

    static boolean recording() {
        return !FILE.isEmpty();
    }

    static void record(String name, long startedAt, long endedAt, int status, boolean ok) {
        if (recording()) {
            LINES.add(new Line(name, startedAt, endedAt, status, ok));
        }
    }

    static void write() {
        if (!recording()) {
            return;
        }
        List<String> out = new ArrayList<>(LINES.size() + 1);
        out.add("request,started_ms,ended_ms,status,ok");
        for (Line line : LINES) {
            out.add(line.name() + "," + line.startedAt() + "," + line.endedAt() + "," + line.status() + "," + (line.ok() ? 1 : 0));
        }
        try {
            Path path = Path.of(FILE);
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            Files.write(path, out);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the timeline to " + FILE, e);
        }
    }
}
