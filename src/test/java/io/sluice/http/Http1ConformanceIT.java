package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.sluice.Sluice;
import io.sluice.config.LimitsConfig;
import io.sluice.config.MatchConfig;
import io.sluice.testing.RecordingBackend;
import io.sluice.testing.TestConfigs;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP/1.1 conformance of the client side, as an attacker would test it: RFC 9112 message framing and
 * RFC 9110 field rules, over raw sockets against one in-process Sluice in front of a {@link RecordingBackend}.
 *
 * <p>Each case is a row: a name, the exact bytes the client writes, the outcome the client must see (its
 * responses' statuses in order, then whether the connection is closed), and checks on what reached the
 * backend. Outcomes are written as {@code "200 200"}, {@code "400 closed"}, {@code "200 open"} (a follow-up
 * request on the same connection is answered), {@code "closed"} (no response at all); {@code |} separates
 * outcomes that are equally acceptable.
 *
 * <p>Every case also checks one invariant: the backend parsed exactly as many requests as Sluice should
 * have forwarded (the backend answers every request it parses with 200, so that is the number of 200s in
 * the expected outcome), each carrying the X-Forwarded-For Sluice adds, none with a header line that starts
 * with whitespace. A request smuggled past Sluice shows up as one too many. Cases marked {@code partial}
 * (the body breaks off after Sluice may already have streamed part of it) allow one forwarded request, but
 * never a complete one: the backend must not get the chunked terminator after the partial data.
 *
 * <p>Limits are small so that over-size cases are cheap: 8 KiB of request head, 1 KiB of body.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http1ConformanceIT {
    private static final int READ_TIMEOUT_MILLIS = 3000;
    /** After the expected requests arrived, how long the backend must stay quiet (extra ones show up here). */
    private static final long QUIET_MILLIS = 100;
    private static final int MAX_HEAD = 8192;
    private static final int MAX_BODY = 1024;
    private static final String FOLLOW_UP = "GET /follow-up HTTP/1.1\r\nHost: h\r\n\r\n";

    private RecordingBackend backend;
    private Sluice sluice;
    private InetSocketAddress address;

    @BeforeAll
    void start() throws Exception {
        backend = new RecordingBackend();
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort(); // closed again at once: connecting there is refused (502)
        }
        LimitsConfig limits = new LimitsConfig(MAX_HEAD, MAX_BODY, Duration.ofSeconds(5), Duration.ofSeconds(30),
                1000, Duration.ofSeconds(1));
        sluice = Sluice.builder().config(TestConfigs.create().limits(limits)
                .pool("p", backend.port())
                .pool("dead", deadPort)
                // Requests for wrong.example go nowhere: a case routed by the wrong host gets a 502.
                .route(new MatchConfig("wrong.example", null, null, List.of(), java.util.Map.of()), "dead")
                .route(MatchConfig.ANY, "p")
                .build()).build().start();
        address = sluice.listenerAddress("web");
    }

    @AfterAll
    void stop() throws IOException {
        if (sluice != null) {
            sluice.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    // ---------------------------------------------------------------- tables

    static Stream<Case> contentLength() {
        return Stream.of(
                c("valid Content-Length", post("Content-Length: 5", "hello"), "200",
                        body("hello"), header("Content-Length", "5")),
                c("Content-Length 0", post("Content-Length: 0", ""), "200", body("")),
                c("GET with a Content-Length body", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", "200",
                        body("abc")),
                c("leading zeros are still 1*DIGIT", post("Content-Length: 005", "hello"), "200", body("hello")),
                c("trailing whitespace is OWS", post("Content-Length: 5 \t", "hello"), "200", body("hello")),
                c("plus sign", post("Content-Length: +5", "hello"), "400 closed"),
                c("negative", post("Content-Length: -5", "hello"), "400 closed"),
                c("hex", post("Content-Length: 0x5", "hello"), "400 closed"),
                c("space inside the number", post("Content-Length: 1 0", "helloworld"), "400 closed"),
                c("empty value", post("Content-Length:", "hello"), "400 closed"),
                c("letters", post("Content-Length: five", "hello"), "400 closed"),
                c("decimal point", post("Content-Length: 5.0", "hello"), "400 closed"),
                c("comma list of equal values is folded to one", post("Content-Length: 5, 5", "hello"), "200",
                        body("hello"), header("Content-Length", "5"), count("Content-Length", 1)),
                c("comma list of differing values", post("Content-Length: 5, 6", "hello!"), "400 closed"),
                c("comma list with an empty element", post("Content-Length: 5,", "hello"), "400 closed|200",
                        count("Content-Length", 1)),
                c("repeated equal headers, one forwarded", post("Content-Length: 5\r\nContent-Length: 5", "hello"),
                        "200", body("hello"), header("Content-Length", "5"), count("Content-Length", 1)),
                c("repeated differing headers", post("Content-Length: 5\r\nContent-Length: 3", "hello"), "400 closed"),
                c("repeated differing headers, smaller first",
                        post("Content-Length: 3\r\nContent-Length: 5", "hello"), "400 closed"),
                c("over max_body_size", post("Content-Length: 2048", ""), "413 closed"),
                c("huge, past 32 bits", post("Content-Length: 99999999999", ""), "413 closed"),
                c("past 64 bits", post("Content-Length: 99999999999999999999999", ""), "400 closed|413 closed"),
                c("a body that looks like a request stays body",
                        post("Content-Length: 30", "GET /smuggled HTTP/1.1\r\n\r\n1234"), "200",
                        body("GET /smuggled HTTP/1.1\r\n\r\n1234")));
    }

    static Stream<Case> transferEncoding() {
        String chunkedHello = "5\r\nhello\r\n0\r\n\r\n";
        return Stream.of(
                c("chunked is forwarded chunked", post("Transfer-Encoding: chunked", chunkedHello), "200",
                        body("hello"), header("Transfer-Encoding", "chunked"), absent("Content-Length")),
                c("chunked in upper case", post("Transfer-Encoding: CHUNKED", chunkedHello), "200", body("hello")),
                c("chunked after a tab (OWS)", post("Transfer-Encoding:\tchunked", chunkedHello), "200",
                        body("hello")),
                c("Content-Length then Transfer-Encoding",
                        post("Content-Length: 5\r\nTransfer-Encoding: chunked", chunkedHello), "400 closed"),
                c("Transfer-Encoding then Content-Length",
                        post("Transfer-Encoding: chunked\r\nContent-Length: 5", chunkedHello), "400 closed"),
                c("Transfer-Encoding with Content-Length 0",
                        post("Transfer-Encoding: chunked\r\nContent-Length: 0", chunkedHello), "400 closed"),
                c("gzip, chunked is not implemented", post("Transfer-Encoding: gzip, chunked", chunkedHello),
                        "501 closed"),
                c("gzip then chunked in two headers",
                        post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked", chunkedHello), "501 closed"),
                c("gzip alone: chunked not final", post("Transfer-Encoding: gzip", "hello"), "400 closed"),
                c("chunked, chunked", post("Transfer-Encoding: chunked, chunked", chunkedHello), "400 closed"),
                c("two chunked headers", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", chunkedHello),
                        "400 closed"),
                c("chunked then identity headers",
                        post("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity", chunkedHello), "400 closed"),
                c("identity", post("Transfer-Encoding: identity", "hello"), "400 closed"),
                c("identity with Content-Length",
                        post("Transfer-Encoding: identity\r\nContent-Length: 5", "hello"), "400 closed"),
                c("xchunked", post("Transfer-Encoding: xchunked", chunkedHello), "400 closed"),
                c("chunkedx", post("Transfer-Encoding: chunkedx", chunkedHello), "400 closed"),
                c("quoted \"chunked\"", post("Transfer-Encoding: \"chunked\"", chunkedHello), "400 closed"),
                c("chunked;x parameter", post("Transfer-Encoding: chunked;x", chunkedHello), "400 closed"),
                c("chunked ; q=1 parameter", post("Transfer-Encoding: chunked ; q=1", chunkedHello), "400 closed"),
                c("vertical tab before chunked", post("Transfer-Encoding: \u000bchunked", chunkedHello), "400 closed"),
                c("form feed before chunked", post("Transfer-Encoding: \u000cchunked", chunkedHello), "400 closed"),
                c("vertical tab after chunked", post("Transfer-Encoding: chunked\u000b", chunkedHello), "400 closed"),
                c("NUL after chunked", post("Transfer-Encoding: chunked\u0000", chunkedHello), "400 closed"),
                c("space inside: ch unked", post("Transfer-Encoding: ch unked", chunkedHello), "400 closed"),
                c("on HTTP/1.0", "POST / HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedHello,
                        "400 closed"),
                c("space before the colon", post("Transfer-Encoding : chunked", chunkedHello), "400 closed"),
                c("tab before the colon", post("Transfer-Encoding\t: chunked", chunkedHello), "400 closed"),
                c("Transfer_Encoding is another header: no body, the chunk bytes are a bad next request",
                        post("Transfer_Encoding: chunked", "0\r\n\r\n"), "200 400 closed",
                        body(""), absent("Transfer-Encoding")),
                c("Transfer_Encoding with Content-Length: the length frames the body",
                        post("Transfer_Encoding: chunked\r\nContent-Length: 5", "hello"), "200",
                        body("hello"), absent("Transfer-Encoding")),
                c("empty Transfer-Encoding", post("Transfer-Encoding:", "hello"), "400 closed"),
                c("chunked, with an empty list element", post("Transfer-Encoding: ,chunked", chunkedHello),
                        "400 closed|501 closed|200"));
    }

    static Stream<Case> chunkSyntax() {
        String te = "Transfer-Encoding: chunked";
        return Stream.of(
                c("several chunks", post(te, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), "200", body("hello world")),
                c("empty chunked body", post(te, "0\r\n\r\n"), "200", body("")),
                c("upper-case hex size", post(te, "A\r\n0123456789\r\n0\r\n\r\n"), "200", body("0123456789")),
                c("leading zeros in the size", post(te, "005\r\nhello\r\n000\r\n\r\n"), "200", body("hello")),
                c("chunk extension", post(te, "5;ext=1\r\nhello\r\n0\r\n\r\n"), "200", body("hello")),
                c("chunk extension without value", post(te, "5;x\r\nhello\r\n0;y\r\n\r\n"), "200", body("hello")),
                c("chunk extension with quoted value", post(te, "5;name=\"a b;c\"\r\nhello\r\n0\r\n\r\n"), "200",
                        body("hello")),
                c("trailer field", post(te, "5\r\nhello\r\n0\r\nX-Trailer: v\r\n\r\n"), "200", body("hello")),
                c("two trailer fields", post(te, "5\r\nhello\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n"), "200",
                        body("hello")),
                c("size over max_body_size", post(te, "800\r\n" + "x".repeat(2048) + "\r\n0\r\n\r\n"),
                        "413 closed", partial()),
                c("chunks adding up over max_body_size",
                        post(te, ("200\r\n" + "y".repeat(512) + "\r\n").repeat(3) + "0\r\n\r\n"), "413 closed",
                        partial()),
                c("size ffffffffffffffff overflows", post(te, "5\r\nhello\r\nffffffffffffffff\r\nxx\r\n0\r\n\r\n"),
                        "400 closed|413 closed", partial()),
                c("size 10000000000000000 overflows", post(te, "10000000000000000\r\nxx\r\n0\r\n\r\n"),
                        "400 closed|413 closed", partial()),
                c("size -1", post(te, "5\r\nhello\r\n-1\r\nxx\r\n0\r\n\r\n"), "400 closed", partial()),
                c("size 0x5", post(te, "5\r\nhello\r\n0x5\r\nworld\r\n0\r\n\r\n"), "400 closed", partial()),
                c("size with a leading space", post(te, "5\r\nhello\r\n 5\r\nworld\r\n0\r\n\r\n"), "400 closed",
                        partial()),
                c("size with a leading tab", post(te, "5\r\nhello\r\n\t5\r\nworld\r\n0\r\n\r\n"), "400 closed",
                        partial()),
                c("size with a trailing space", post(te, "5\r\nhello\r\n5 \r\nworld\r\n0\r\n\r\n"), "400 closed",
                        partial()),
                c("size that is not hex", post(te, "5\r\nhello\r\n5g\r\nworld\r\n0\r\n\r\n"), "400 closed",
                        partial()),
                c("empty size line", post(te, "5\r\nhello\r\n\r\nworld\r\n0\r\n\r\n"), "400 closed", partial()),
                c("bare LF after the size", post(te, "5\r\nhello\r\n5\nworld\r\n0\r\n\r\n"), "400 closed", partial()),
                c("bare LF after the data", post(te, "5\r\nhello\r\n5\r\nworld\n0\r\n\r\n"), "400 closed",
                        partial()),
                c("bare LF everywhere", post(te, "5\nhello\n0\n\n"), "400 closed", partial()),
                c("bare CR after the size", post(te, "5\r\nhello\r\n5\rworld\r\n0\r\n\r\n"), "400 closed",
                        partial()),
                c("over-long chunk extension", post(te, "5\r\nhello\r\n5;" + "e".repeat(20_000)
                        + "\r\nworld\r\n0\r\n\r\n"), "400 closed", partial()),
                c("chunk data not followed by CRLF", post(te, "5\r\nhello\r\n3\r\nworldX\r\n0\r\n\r\n"),
                        "400 closed", partial()),
                c("chunk data longer than its size", post(te, "5\r\nhello\r\n2\r\nworld\r\n0\r\n\r\n"),
                        "400 closed", partial()),
                c("bad trailer line", post(te, "5\r\nhello\r\n0\r\nno colon here\r\n\r\n"), "400 closed",
                        partial()),
                c("trailer with space before colon", post(te, "5\r\nhello\r\n0\r\nX-T : v\r\n\r\n"), "400 closed",
                        partial()),
                c("missing last chunk, then the client closes its side", post(te, "5\r\nhello\r\n"),
                        "400 closed|closed", partial(), shutOutput()),
                c("cut inside chunk data, then the client closes its side", post(te, "5\r\nhello\r\n9\r\nwor"),
                        "400 closed|closed", partial(), shutOutput()),
                c("cut inside the trailers, then the client closes its side",
                        post(te, "5\r\nhello\r\n0\r\nX-T: v\r\n"), "400 closed|closed", partial(), shutOutput()));
    }

    static Stream<Case> requestLine() {
        return Stream.of(
                c("origin-form with a query", "GET /a/b?c=d&e HTTP/1.1\r\nHost: h\r\n\r\n", "200",
                        line("GET /a/b?c=d&e HTTP/1.1")),
                c("absolute-form: path for the backend, authority as Host, routed by it",
                        "GET http://other.example/x?y=1 HTTP/1.1\r\nHost: wrong.example\r\n\r\n", "200",
                        line("GET /x?y=1 HTTP/1.1"), header("Host", "other.example"), count("Host", 1)),
                c("absolute-form with a port", "GET http://other.example:8080/x HTTP/1.1\r\nHost: h\r\n\r\n", "200",
                        line("GET /x HTTP/1.1"), header("Host", "other.example:8080")),
                c("absolute-form without a path", "GET http://other.example HTTP/1.1\r\nHost: h\r\n\r\n", "200",
                        line("GET / HTTP/1.1"), header("Host", "other.example")),
                c("absolute-form with user info", "GET http://u@other.example/ HTTP/1.1\r\nHost: h\r\n\r\n",
                        "400 closed"),
                c("absolute-form with another scheme", "GET ftp://other.example/ HTTP/1.1\r\nHost: h\r\n\r\n",
                        "400 closed"),
                c("routing uses Host when the target is origin-form",
                        "GET /x HTTP/1.1\r\nHost: wrong.example\r\n\r\n", "502"),
                c("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "200", line("OPTIONS * HTTP/1.1")),
                c("GET *", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("CONNECT authority-form", "CONNECT other.example:443 HTTP/1.1\r\nHost: other.example:443\r\n\r\n",
                        "405 closed"),
                c("GET with authority-form", "GET other.example:443 HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("relative path", "GET a/b HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("fragment in the target", "GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("control byte in the target", "GET /a\u0001b HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("NUL in the target", "GET /a\u0000b HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("DEL in the target", "GET /a\u007fb HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("non-ASCII byte in the target", "GET /caf\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("tab between method and target", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("tab between target and version", "GET /\tHTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("two spaces after the method", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("two spaces before the version", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("space at the end of the line", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", "400 closed"),
                c("missing version", "GET /\r\nHost: h\r\n\r\n", "400 closed"),
                c("only a method", "GET\r\nHost: h\r\n\r\n", "400 closed"),
                c("HTTP/2.0 in the line", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", "505 closed"),
                // Not HTTP-version syntax (no minor digit): a malformed line, not a version Sluice lacks.
                c("HTTP/3 in the line", "GET / HTTP/3\r\nHost: h\r\n\r\n", "400 closed"),
                c("lower-case version", "GET / http/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("version with a leading zero", "GET / HTTP/01.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("version without minor", "GET / HTTP/1\r\nHost: h\r\n\r\n", "400 closed"),
                // Methods are case-sensitive tokens: "get" is an unknown method, which a proxy passes on (RFC 9110 §9.1).
                c("lower-case method", "get / HTTP/1.1\r\nHost: h\r\n\r\n", "200 open"),
                c("non-token method", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"),
                c("unknown token method is forwarded", "PURGE /x HTTP/1.1\r\nHost: h\r\n\r\n", "200",
                        line("PURGE /x HTTP/1.1")),
                c("overlong request line", "GET /" + "a".repeat(MAX_HEAD + 100) + " HTTP/1.1\r\nHost: h\r\n\r\n",
                        "414 closed"),
                c("one empty line before the request line", "\r\nGET /e HTTP/1.1\r\nHost: h\r\n\r\n", "200",
                        line("GET /e HTTP/1.1")),
                c("two empty lines before the request line", "\r\n\r\nGET /e HTTP/1.1\r\nHost: h\r\n\r\n", "200",
                        line("GET /e HTTP/1.1")),
                c("whitespace before the method", " GET / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed"));
    }

    static Stream<Case> host() {
        return Stream.of(
                c("missing on HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", "400 closed"),
                c("missing on HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", "200 closed"),
                c("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400 closed"),
                c("two equal Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", "400 closed"),
                c("Host list in one header", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", "400 closed"),
                c("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "400 closed"),
                c("Host with user info", "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", "400 closed"),
                c("Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", "400 closed"),
                c("Host with a backslash", "GET / HTTP/1.1\r\nHost: a\\b\r\n\r\n", "400 closed"),
                c("Host with a non-numeric port", "GET / HTTP/1.1\r\nHost: a:b\r\n\r\n", "400 closed"),
                c("empty Host is allowed", "GET / HTTP/1.1\r\nHost:\r\n\r\n", "200"),
                c("Host with a port", "GET / HTTP/1.1\r\nHost: h:8080\r\n\r\n", "200", header("Host", "h:8080")),
                c("IPv6 literal host", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "200",
                        header("Host", "[::1]:8080")),
                c("IPv4 host", "GET / HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n", "200", header("Host", "192.0.2.1")));
    }

    static Stream<Case> fields() {
        return Stream.of(
                c("space before the colon", get("X-Foo : 1"), "400 closed"),
                c("tab before the colon", get("X-Foo\t: 1"), "400 closed"),
                c("space inside the name", get("X Foo: 1"), "400 closed"),
                c("parenthesis in the name", get("X(Foo): 1"), "400 closed"),
                c("at sign in the name", get("X@Foo: 1"), "400 closed"),
                c("slash in the name", get("X/Foo: 1"), "400 closed"),
                c("quote in the name", get("\"X\": 1"), "400 closed"),
                c("braces in the name", get("X{Foo}: 1"), "400 closed"),
                c("non-ASCII in the name", get("X-F\u00f6o: 1"), "400 closed"),
                c("empty name", get(": 1"), "400 closed"),
                c("no colon", get("X-Foo 1"), "400 closed"),
                c("NUL in a value", get("X-Foo: a\u0000b"), "400 closed"),
                c("CR inside a value", get("X-Foo: a\rb"), "400 closed"),
                c("LF inside a value", get("X-Foo: a\nb"), "400 closed"),
                c("control byte in a value", get("X-Foo: a\u0001b"), "400 closed"),
                c("DEL in a value", get("X-Foo: a\u007fb"), "400 closed"),
                c("tab inside a value is allowed", get("X-Foo: a\tb"), "200", header("X-Foo", "a\tb")),
                c("obs-text in a value is allowed", get("X-Foo: caf\u00e9"), "200", header("X-Foo", "caf\u00e9")),
                c("OWS around a value is dropped", get("X-Foo:  \t v \t "), "200", header("X-Foo", "v")),
                c("obs-fold is refused or unfolded", get("X-Foo: a\r\n b"), "400 closed|200", noFoldedLine()),
                c("obs-fold with a tab", get("X-Foo: a\r\n\tb"), "400 closed|200", noFoldedLine()),
                c("obs-fold of Content-Length",
                        post("Content-Length:\r\n 5", "hello"), "400 closed|200", noFoldedLine()),
                c("obs-fold of Transfer-Encoding",
                        post("Transfer-Encoding:\r\n chunked", "5\r\nhello\r\n0\r\n\r\n"), "400 closed|200",
                        noFoldedLine()),
                c("whitespace line right after the request line",
                        "GET / HTTP/1.1\r\n X-Foo: 1\r\nHost: h\r\n\r\n", "400 closed|200", noFoldedLine()),
                c("bare LF line endings", "GET / HTTP/1.1\nHost: h\n\n", "400 closed"),
                c("bare LF after one header", "GET / HTTP/1.1\r\nHost: h\nX-Foo: 1\r\n\r\n", "400 closed"),
                c("bare LF ending the head", "GET / HTTP/1.1\r\nHost: h\r\n\n", "400 closed"),
                c("bare CR line endings", "GET / HTTP/1.1\rHost: h\r\r\n\r\n", "400 closed"),
                c("bare CR after the request line", "GET / HTTP/1.1\rHost: h\r\n\r\n", "400 closed"),
                c("one header over the head limit", get("X-Big: " + "b".repeat(MAX_HEAD + 10)), "431 closed"),
                c("many headers over the head limit", get(manyHeaders(300)), "431 closed"),
                c("long header under the limit is forwarded", get("X-Big: " + "b".repeat(4000)), "200",
                        header("X-Big", "b".repeat(4000))));
    }

    static Stream<Case> connectionHeader() {
        String smuggle = "GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n";
        String cl = "Content-Length: " + smuggle.length();
        return Stream.of(
                c("Connection: Content-Length keeps the length",
                        post("Connection: Content-Length\r\n" + cl, smuggle), "200",
                        body(smuggle), header("Content-Length", String.valueOf(smuggle.length()))),
                c("connection: content-length in lower case",
                        post("connection: content-length\r\n" + cl, smuggle), "200", body(smuggle)),
                c("Connection: CONTENT-LENGTH in upper case",
                        post("Connection: CONTENT-LENGTH\r\n" + cl, smuggle), "200", body(smuggle)),
                c("Connection: keep-alive, Content-Length",
                        post("Connection: keep-alive, Content-Length\r\n" + cl, smuggle), "200", body(smuggle)),
                c("Content-Length listed before it appears",
                        post(cl + "\r\nConnection: Content-Length", smuggle), "200", body(smuggle)),
                c("Connection: Transfer-Encoding keeps chunked framing",
                        post("Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked",
                                Integer.toHexString(smuggle.length()) + "\r\n" + smuggle + "\r\n0\r\n\r\n"),
                        "200", body(smuggle), header("Transfer-Encoding", "chunked")),
                c("Connection: Host keeps Host",
                        "POST / HTTP/1.1\r\nConnection: Host\r\nHost: h\r\n" + cl + "\r\n\r\n" + smuggle, "200",
                        body(smuggle), header("Host", "h")),
                c("Connection: Content-Length, Host, Transfer-Encoding",
                        post("Connection: Content-Length, Host, Transfer-Encoding\r\n" + cl, smuggle), "200",
                        body(smuggle), header("Host", "h")),
                c("listed X-Foo is removed", get("Connection: X-Foo\r\nX-Foo: 1\r\nX-Bar: 2"), "200",
                        absent("X-Foo"), header("X-Bar", "2"), absent("Connection")),
                c("two Connection headers, both lists honoured",
                        get("Connection: X-A\r\nConnection: X-B\r\nX-A: 1\r\nX-B: 2"), "200",
                        absent("X-A"), absent("X-B")),
                c("Keep-Alive and Proxy-Connection are removed",
                        get("Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive"), "200",
                        absent("Keep-Alive"), absent("Proxy-Connection")),
                c("HTTP/1.1 stays open by default", get("X-Foo: 1"), "200 open"),
                c("Connection: close closes", get("Connection: close"), "200 closed"),
                c("Connection: CLOSE in upper case closes", get("Connection: CLOSE"), "200 closed"),
                c("Connection: keep-alive, close closes", get("Connection: keep-alive, close"), "200 closed"),
                c("HTTP/1.0 closes by default", "GET / HTTP/1.0\r\nHost: h\r\n\r\n", "200 closed"),
                c("HTTP/1.0 with keep-alive stays open",
                        "GET / HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n", "200 open"),
                c("request after Connection: close is not forwarded",
                        get("Connection: close") + "GET /after-close HTTP/1.1\r\nHost: h\r\n\r\n", "200 closed"));
    }

    static Stream<Case> pipelining() {
        String g = "GET /%d HTTP/1.1\r\nHost: h\r\n\r\n";
        return Stream.of(
                c("three GETs in one write", g.formatted(1) + g.formatted(2) + g.formatted(3), "200 200 200",
                        lines("GET /1 HTTP/1.1", "GET /2 HTTP/1.1", "GET /3 HTTP/1.1")),
                c("POST with a length, then a GET", post("Content-Length: 5", "hello") + g.formatted(2), "200 200",
                        lines("POST / HTTP/1.1", "GET /2 HTTP/1.1")),
                c("chunked POST, then a GET",
                        post("Transfer-Encoding: chunked", "5\r\nhello\r\n0\r\n\r\n") + g.formatted(2), "200 200",
                        lines("POST / HTTP/1.1", "GET /2 HTTP/1.1")),
                c("chunked POST with a trailer, then a GET",
                        post("Transfer-Encoding: chunked", "5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n") + g.formatted(2),
                        "200 200", lines("POST / HTTP/1.1", "GET /2 HTTP/1.1")),
                // (not HEAD: the recording backend answers HEAD with a body, which garbles its own connection)
                c("OPTIONS * then GET", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n" + g.formatted(2), "200 200",
                        lines("OPTIONS * HTTP/1.1", "GET /2 HTTP/1.1")),
                c("bad request first: nothing after it is forwarded",
                        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + g.formatted(2), "400 closed"),
                c("good, bad, good: the third is never forwarded",
                        g.formatted(1) + "GET /\u0001 HTTP/1.1\r\nHost: h\r\n\r\n" + g.formatted(3), "200 400 closed",
                        lines("GET /1 HTTP/1.1")),
                c("CL and TE, then a pipelined request",
                        post("Content-Length: 4\r\nTransfer-Encoding: chunked", "0\r\n\r\n") + g.formatted(2),
                        "400 closed"),
                c("over-size body, then a pipelined request",
                        post("Content-Length: 5000", "") + g.formatted(2), "413 closed"),
                c("501 coding, then a pipelined request",
                        post("Transfer-Encoding: gzip, chunked", "0\r\n\r\n") + g.formatted(2), "501 closed"),
                c("bad chunk, then a pipelined request",
                        post("Transfer-Encoding: chunked", "5\r\nhello\r\nzz\r\n") + g.formatted(2), "400 closed",
                        partial()),
                c("differing lengths, then a pipelined request",
                        post("Content-Length: 0\r\nContent-Length: 41", "") + g.formatted(2), "400 closed"),
                c("TE.CL style: chunked body holding a request",
                        post("Transfer-Encoding: chunked", "3c\r\n" + String.format("%-60s", "GET /in-body HTTP/1.1")
                                + "\r\n0\r\n\r\n"), "200", count("Transfer-Encoding", 1)),
                c("ten GETs in one write", g.formatted(1).repeat(10), "200 200 200 200 200 200 200 200 200 200"));
    }

    static Stream<Case> upgradeAndTrailers() {
        return Stream.of(
                c("websocket upgrade is forwarded",
                        get("Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="), "200",
                        headerHas("Upgrade", "websocket"), headerHas("Connection", "upgrade")),
                c("h2c upgrade is dropped",
                        get("Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"),
                        "200", absent("Upgrade"), absent("HTTP2-Settings")),
                c("websocket without Connection: upgrade is dropped", get("Upgrade: websocket"), "200",
                        absent("Upgrade")),
                c("unknown upgrade is dropped", get("Connection: upgrade\r\nUpgrade: foo/1"), "200",
                        absent("Upgrade")),
                c("TE: trailers is kept", get("TE: trailers"), "200", header("TE", "trailers")),
                c("TE: gzip is dropped", get("TE: gzip"), "200", absent("TE")),
                c("TE: deflate, trailers keeps trailers", get("TE: deflate, trailers"), "200",
                        header("TE", "trailers")),
                c("Trailer header is removed", get("Trailer: X-Sum"), "200", absent("Trailer")),
                c("trailers in a chunked request keep framing",
                        post("Transfer-Encoding: chunked\r\nTrailer: X-Sum", "5\r\nhello\r\n0\r\nX-Sum: 5\r\n\r\n"),
                        "200", body("hello"), rawLacks("X-Sum: 5\r\n\r\n0\r\n")),
                c("forbidden Content-Length trailer does not reframe",
                        post("Transfer-Encoding: chunked", "5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n")
                                + "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n", "200 200",
                        lines("POST / HTTP/1.1", "GET /2 HTTP/1.1")),
                c("forbidden Transfer-Encoding trailer does not reframe",
                        post("Transfer-Encoding: chunked", "5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n")
                                + "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n", "200 200",
                        lines("POST / HTTP/1.1", "GET /2 HTTP/1.1")));
    }

    static Stream<Case> halfClose() {
        String g = "GET /%d HTTP/1.1\r\nHost: h\r\n\r\n";
        return Stream.of(
                c("GET, then the client shuts its output", g.formatted(1), "200 closed", shutOutput()),
                c("two pipelined GETs, then shutdown", g.formatted(1) + g.formatted(2), "200 200 closed",
                        shutOutput()),
                c("POST with a body, then shutdown", post("Content-Length: 5", "hello"), "200 closed",
                        body("hello"), shutOutput()),
                c("chunked POST, then shutdown", post("Transfer-Encoding: chunked", "5\r\nhello\r\n0\r\n\r\n"),
                        "200 closed", body("hello"), shutOutput()),
                c("HTTP/1.0 GET, then shutdown", "GET / HTTP/1.0\r\n\r\n", "200 closed", shutOutput()),
                c("bad request, then shutdown", "GET / HTTP/1.1\r\n\r\n", "400 closed", shutOutput()),
                c("half a request line, then shutdown", "GET / HT", "400 closed|closed", shutOutput()));
    }

    // ---------------------------------------------------------------- tests

    @ParameterizedTest(name = "{0}")
    @MethodSource("contentLength")
    void contentLength(Case k) throws Exception {
        run(k);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transferEncoding")
    void transferEncoding(Case k) throws Exception {
        run(k);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkSyntax")
    void chunkSyntax(Case k) throws Exception {
        run(k);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestLine")
    void requestLine(Case k) throws Exception {
        run(k);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("host")
    void host(Case k) throws Exception {
        run(k);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fields")
    void fields(Case k) throws Exception {
        run(k);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectionHeader")
    void connectionHeader(Case k) throws Exception {
        run(k);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pipelining")
    void pipelining(Case k) throws Exception {
        run(k);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("upgradeAndTrailers")
    void upgradeAndTrailers(Case k) throws Exception {
        run(k);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("halfClose")
    void halfClose(Case k) throws Exception {
        run(k);
    }

    // ---------------------------------------------------------------- the runner

    private void run(Case k) throws Exception {
        backend.clear();
        Observed seen;
        try (Socket s = new Socket()) {
            s.connect(address, 2000);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = s.getOutputStream();
            InputStream in = new BufferedInputStream(s.getInputStream());
            try {
                out.write(k.raw.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (k.halfClose) {
                    s.shutdownOutput();
                }
            } catch (IOException e) {
                // Sluice may answer and close before all the bytes are written; what it answered is read below.
            }
            seen = observe(k, s, out, in);
        }
        Outcome matched = null;
        for (Outcome o : k.outcomes) {
            if (o.matches(seen)) {
                matched = o;
                break;
            }
        }
        List<RecordingBackend.Request> requests = settle(matched == null ? 0 : matched.forwarded());
        String raw = backend.received();
        String report = k.name + "\n  client saw: " + seen + "\n  expected: " + k.outcomes
                + "\n  backend parsed " + requests.size() + ": " + requestLines(requests)
                + "\n  backend received: " + printable(raw);
        if (matched == null) {
            fail("client-visible outcome differs\n" + report);
        }
        // The invariant: every request the backend parsed is one Sluice routed, and no more than it should.
        for (RecordingBackend.Request r : requests) {
            assertThat(r.header("X-Forwarded-For")).as("a request Sluice did not route reached the backend\n"
                    + report).isNotNull();
            for (String h : r.headerLines()) {
                assertThat(h).as("a header line starting with whitespace reached the backend\n" + report)
                        .doesNotMatch("^[ \t].*");
            }
        }
        if (k.partial) {
            assertThat(requests.size()).as("at most the one (incomplete) request\n" + report).isLessThanOrEqualTo(1);
            int headEnd = raw.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
                String bodyRaw = raw.substring(headEnd + 4);
                assertThat(bodyRaw.startsWith("0\r\n") || bodyRaw.contains("\r\n0\r\n"))
                        .as("the backend got a chunked terminator after a broken body\n" + report).isFalse();
            }
        } else {
            assertThat(requests.size()).as("requests the backend parsed\n" + report).isEqualTo(matched.forwarded());
        }
        if (!requests.isEmpty() && !k.partial && matched.forwarded() > 0) {
            for (Check check : k.checks) {
                check.verify(requests, raw, report);
            }
        } else if (!k.partial) {
            for (Check check : k.checks) {
                if (check.always()) {
                    check.verify(requests, raw, report);
                }
            }
        }
    }

    /** Reads what the client gets: up to as many responses as any acceptable outcome has, then the end. */
    private Observed observe(Case k, Socket s, OutputStream out, InputStream in) {
        int most = k.outcomes.stream().mapToInt(o -> o.statuses.size()).max().orElse(0);
        List<Integer> statuses = new ArrayList<>();
        String problem = null;
        Boolean closed = null;
        try {
            for (int i = 0; i < most; i++) {
                int status = readResponse(in);
                if (status < 0) {
                    closed = true;
                    break;
                }
                statuses.add(status);
            }
        } catch (SocketTimeoutException e) {
            problem = "no response within " + READ_TIMEOUT_MILLIS + " ms";
        } catch (IOException e) {
            if (isReset(e)) {
                closed = true;
            } else {
                problem = e.toString();
            }
        }
        boolean wantsOpen = k.outcomes.stream().anyMatch(o -> o.end == End.OPEN && o.statuses.equals(statuses));
        // When the statuses already differ from every outcome, waiting to see the connection end adds nothing.
        boolean wantsClosed = k.outcomes.stream().anyMatch(o -> o.end == End.CLOSED && o.statuses.equals(statuses));
        boolean followUpOk = false;
        if (problem == null && closed == null && (wantsOpen || wantsClosed)) {
            if (wantsOpen) {
                try {
                    out.write(FOLLOW_UP.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    followUpOk = readResponse(in) == 200;
                    closed = false;
                } catch (IOException e) {
                    closed = true;
                }
            } else {
                closed = awaitEnd(in);
                if (closed == null) {
                    problem = "bytes after the expected responses";
                }
            }
        }
        return new Observed(statuses, Boolean.TRUE.equals(closed), followUpOk, problem);
    }

    /** True when the connection ends (EOF or reset) within the read timeout; false when it stays open; null on bytes. */
    private static Boolean awaitEnd(InputStream in) {
        try {
            return in.read() == -1 ? Boolean.TRUE : null;
        } catch (SocketTimeoutException e) {
            return Boolean.FALSE;
        } catch (IOException e) {
            return Boolean.TRUE;
        }
    }

    private static boolean isReset(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return m.contains("reset") || m.contains("broken pipe") || m.contains("closed");
    }

    /** Reads one response (skipping 1xx); its status, or -1 when the connection ended before one began. */
    private static int readResponse(InputStream in) throws IOException {
        for (;;) {
            String statusLine = readLine(in);
            if (statusLine == null) {
                return -1;
            }
            String[] parts = statusLine.split(" ");
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not a status line: " + printable(statusLine));
            }
            int status = Integer.parseInt(parts[1]);
            long length = -1;
            boolean chunked = false;
            String h;
            while ((h = readLine(in)) != null && !h.isEmpty()) {
                int colon = h.indexOf(':');
                String name = h.substring(0, Math.max(colon, 0)).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding")) {
                    chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                }
            }
            if (h == null) {
                throw new IOException("connection closed inside a response head");
            }
            if (status / 100 == 1) {
                continue;
            }
            if (chunked) {
                for (;;) {
                    String size = readLine(in);
                    if (size == null) {
                        throw new IOException("connection closed inside a chunked response");
                    }
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        String t;
                        while ((t = readLine(in)) != null && !t.isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    in.readNBytes(n);
                    readLine(in);
                }
            } else if (length >= 0) {
                if (in.readNBytes((int) length).length != length) {
                    throw new IOException("connection closed inside a response body");
                }
            } else if (status != 204 && status != 304) {
                in.readAllBytes(); // the close ends the body
            }
            return status;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(b);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Waits until the backend parsed the expected number of requests (or a few seconds passed), then until
     * it stayed quiet for a moment, so that one request too many is seen too.
     */
    private List<RecordingBackend.Request> settle(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (backend.requests().size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        int lastCount = -1;
        int lastBytes = -1;
        long quietSince = System.nanoTime();
        for (;;) {
            int count = backend.requests().size();
            int bytes = backend.received().length();
            if (count != lastCount || bytes != lastBytes) {
                lastCount = count;
                lastBytes = bytes;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > QUIET_MILLIS * 1_000_000L) {
                return backend.requests();
            }
            Thread.sleep(10);
        }
    }

    // ---------------------------------------------------------------- the table language

    /** Whether the connection must end closed, must stay open (a follow-up is answered), or either. */
    enum End { CLOSED, OPEN, ANY }

    /** One acceptable client-visible outcome. */
    record Outcome(List<Integer> statuses, End end) {
        static Outcome parse(String text) {
            List<Integer> statuses = new ArrayList<>();
            End end = End.ANY;
            for (String w : text.trim().split("\\s+")) {
                if (w.equals("closed")) {
                    end = End.CLOSED;
                } else if (w.equals("open")) {
                    end = End.OPEN;
                } else if (!w.isEmpty()) {
                    statuses.add(Integer.parseInt(w));
                }
            }
            return new Outcome(List.copyOf(statuses), end);
        }

        /** How many requests the backend must have parsed: it answers each with 200 (+1 for the follow-up). */
        int forwarded() {
            int n = (int) statuses.stream().filter(s -> s == 200).count();
            return end == End.OPEN ? n + 1 : n;
        }

        boolean matches(Observed o) {
            if (o.problem != null || !statuses.equals(o.statuses)) {
                return false;
            }
            return switch (end) {
                case CLOSED -> o.closed;
                case OPEN -> o.followUpOk;
                case ANY -> true;
            };
        }

        @Override
        public String toString() {
            return statuses + (end == End.ANY ? "" : " " + end.name().toLowerCase(Locale.ROOT));
        }
    }

    /** What the client saw. */
    record Observed(List<Integer> statuses, boolean closed, boolean followUpOk, String problem) {
        @Override
        public String toString() {
            return statuses + (closed ? " closed" : followUpOk ? " open" : " (end not checked or not closed)")
                    + (problem == null ? "" : " (" + problem + ")");
        }
    }

    /** A check on what reached the backend. */
    interface Check {
        void verify(List<RecordingBackend.Request> requests, String raw, String report);

        /** Whether it runs even when no request was forwarded. */
        default boolean always() {
            return false;
        }
    }

    /** A marker that sets a flag on the case rather than checking anything. */
    private record Flag(String name) implements Check {
        @Override
        public void verify(List<RecordingBackend.Request> requests, String raw, String report) {
        }
    }

    /** One row of a table. */
    static final class Case {
        final String name;
        final String raw;
        final List<Outcome> outcomes;
        final List<Check> checks = new ArrayList<>();
        boolean partial;
        boolean halfClose;

        Case(String name, String raw, String outcome, Check... checks) {
            this.name = name;
            this.raw = raw;
            this.outcomes = Arrays.stream(outcome.split("\\|")).map(Outcome::parse).toList();
            for (Check c : checks) {
                if (c instanceof Flag f) {
                    partial |= f.name.equals("partial");
                    halfClose |= f.name.equals("halfClose");
                } else {
                    this.checks.add(c);
                }
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Case c(String name, String raw, String outcome, Check... checks) {
        return new Case(name, raw, outcome, checks);
    }

    /** The body may break off after part of it went upstream: no complete request may reach the backend. */
    private static Check partial() {
        return new Flag("partial");
    }

    /** The client shuts down its output right after writing. */
    private static Check shutOutput() {
        return new Flag("halfClose");
    }

    private static String post(String headers, String body) {
        return "POST / HTTP/1.1\r\nHost: h\r\n" + headers + "\r\n\r\n" + body;
    }

    private static String get(String headers) {
        return "GET / HTTP/1.1\r\nHost: h\r\n" + headers + "\r\n\r\n";
    }

    private static String manyHeaders(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append("\r\n");
            }
            sb.append("X-Header-").append(i).append(": ").append("v".repeat(20));
        }
        return sb.toString();
    }

    /** The first forwarded request has this body, byte for byte. */
    private static Check body(String expected) {
        return (requests, raw, report) -> assertThat(requests.get(0).bodyText()).as("body\n" + report)
                .isEqualTo(expected);
    }

    /** The first forwarded request has this header with this value. */
    private static Check header(String name, String value) {
        return (requests, raw, report) -> assertThat(requests.get(0).header(name)).as(name + "\n" + report)
                .isEqualTo(value);
    }

    /** The first forwarded request has this header, its value listing {@code token} (any case). */
    private static Check headerHas(String name, String token) {
        return (requests, raw, report) -> assertThat(requests.get(0).header(name)).as(name + "\n" + report)
                .isNotNull().containsIgnoringCase(token);
    }

    /** The first forwarded request has this header exactly n times. */
    private static Check count(String name, int n) {
        return (requests, raw, report) -> assertThat(requests.get(0).count(name)).as("count of " + name + "\n" + report)
                .isEqualTo(n);
    }

    /** No forwarded request has this header. */
    private static Check absent(String name) {
        return (requests, raw, report) -> {
            for (RecordingBackend.Request r : requests) {
                assertThat(r.header(name)).as(name + " must not be forwarded\n" + report).isNull();
            }
        };
    }

    /** The first forwarded request line is this. */
    private static Check line(String requestLine) {
        return lines(requestLine);
    }

    /** The forwarded request lines, in order, start with these (a follow-up may come after). */
    private static Check lines(String... requestLines) {
        return (requests, raw, report) -> {
            assertThat(requests.size()).as("requests\n" + report).isGreaterThanOrEqualTo(requestLines.length);
            for (int i = 0; i < requestLines.length; i++) {
                assertThat(requests.get(i).requestLine()).as("request line " + i + "\n" + report)
                        .isEqualTo(requestLines[i]);
            }
        };
    }

    /** The raw bytes the backend got do not contain this. */
    private static Check rawLacks(String text) {
        return (requests, raw, report) -> assertThat(raw).as("raw\n" + report).doesNotContain(text);
    }

    /** No line of the forwarded head starts with whitespace (an obs-fold must not pass as it is). */
    private static Check noFoldedLine() {
        return new Check() {
            @Override
            public void verify(List<RecordingBackend.Request> requests, String raw, String report) {
                int end = raw.indexOf("\r\n\r\n");
                String head = end < 0 ? raw : raw.substring(0, end);
                for (String l : head.split("\n")) {
                    assertThat(l).as("folded line reached the backend\n" + report).doesNotMatch("^[ \t].*");
                }
            }

            @Override
            public boolean always() {
                return true;
            }
        };
    }

    private static List<String> requestLines(List<RecordingBackend.Request> requests) {
        return requests.stream().map(r -> printable(r.requestLine()) + " body=" + r.body().length).toList();
    }

    /** Text with control bytes shown as escapes, cut to a readable length. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 1200; i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return s.length() > 1200 ? sb + "...(" + s.length() + " chars)" : sb.toString();
    }
}
