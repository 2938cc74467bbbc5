package io.portcullis.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A hand-written HTTP/1.1 client over a plain socket, for what an HTTP library hides: reading
 * only the first bytes of a stream, then stopping to read or closing the connection.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;

    private RawHttp(Socket socket) {
        this.socket = socket;
    }

    /** Sends a JSON POST with a bearer token and returns the open connection. */
    public static RawHttp post(int port, String path, String token, String json) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        // A small receive buffer, so that a reader that stops reading pushes back quickly.
        socket.setReceiveBufferSize(16 * 1024);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Authorization: Bearer " + token + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return new RawHttp(socket);
    }

    /** Reads until at least {@code count} bytes arrived (headers included) and returns them as text. */
    public String read(int count) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[count];
        int total = 0;
        while (total < count) {
            int n = in.read(buffer, total, count - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return new String(buffer, 0, total, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
