package io.vigil.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain TCP client for the API's tests that need what an HTTP client will not do: send a request a byte at a
 * time, stop halfway, or come from another loopback address (127.0.0.2, ...: Linux answers the whole 127/8).
 */
final class RawClient implements AutoCloseable {
    final Socket socket;

    private RawClient(Socket socket) {
        this.socket = socket;
    }

    /** Connected to {@code port} on 127.0.0.1 from {@code from} (null: the kernel's choice, 127.0.0.1). */
    static RawClient connect(int port, String from) throws IOException {
        Socket s = new Socket();
        if (from != null) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        return new RawClient(s);
    }

    void send(String text) throws IOException {
        s().getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s().getOutputStream().flush();
    }

    /** Everything the server sends until it closes the connection (or the read times out). */
    String readToEnd() throws IOException {
        return new String(s().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** One answer with a Content-Length body, leaving the connection open. */
    String readResponse() throws IOException {
        InputStream in = s().getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the headers ended: " + head);
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /**
     * Seconds until the server closes this connection (reads what it sends meanwhile), or -1 after
     * {@code maxSeconds}.
     */
    double secondsUntilClosed(double maxSeconds) throws IOException {
        long start = System.nanoTime();
        s().setSoTimeout(200);
        byte[] buf = new byte[4096];
        while ((System.nanoTime() - start) / 1e9 < maxSeconds) {
            try {
                if (s().getInputStream().read(buf) < 0) {
                    return (System.nanoTime() - start) / 1e9;
                }
            } catch (java.net.SocketTimeoutException e) {
                // still open
            } catch (java.net.SocketException reset) {
                return (System.nanoTime() - start) / 1e9;
            }
        }
        return -1;
    }

    private Socket s() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
