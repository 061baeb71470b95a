package io.clusterlink.store.embedded;

import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Runs a server until stdin closes, on the directory given as argument or, for {@code ephemeral}, on a temporary
 * one. Prints {@code <port> <data dir>} when ready.
 */
public final class EmbeddedPostgresOwner {

    private EmbeddedPostgresOwner() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedPostgresServer server = args[0].equals("ephemeral")
                ? EmbeddedPostgresServer.startEphemeral(0)
                : EmbeddedPostgresServer.start(Path.of(args[0]), 0);
        System.out.println(server.port() + " " + server.dataDir());
        System.out.flush();
        System.in.transferTo(OutputStream.nullOutputStream());
        server.stop();
    }
}
