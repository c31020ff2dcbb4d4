package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An HTTP/1 header section kept as the bytes it arrived in: one array holding every checked name and value
 * back to back followed by where each ends, made by {@link HeadParser}. Reading a header compares bytes in
 * place; removing one sets a bit; adding one appends a name and value to a short list. The encoders write the
 * remaining lines back as bytes ({@link #writeTo}), {@code name: value} each, so a proxied head costs one
 * array instead of an entry, a name and a value string per line.
 *
 * <p>Anything else of {@link HttpHeaders} (iteration as entries, dates, copies) first turns the block into
 * Netty's {@code DefaultHttpHeaders}, in the same order, and works on that from then on; the proxy's own paths
 * never need it, a filter may. Names added here are checked as tokens and values as Netty's headers check
 * them. Not thread-safe: a message's headers belong to its event loop.
 */
final class HeaderBlock extends AbstractHeaderBlock {
    /** The most lines a block keeps as bytes (one bit each in {@link #removed}); a longer one is made full. */
    static final int MAX_LINES = 64;

    private static final byte[] NO_BYTES = new byte[0];

    /**
     * Every line's name and value back to back, then per line two 16-bit offsets: where its name ends (its
     * value starts) and where its value ends (the next name starts). See {@link HeadParser}.
     */
    private final byte[] bytes;
    private final int lines;
    /** The block holds trailers (framing fields refused). */
    private final boolean trailers;
    private long removed;
    /** Added headers: name, value, name, value, ... */
    private CharSequence[] extra;
    private int extraCount;
    /** Once made, the headers themselves; everything is delegated to it. */
    private HttpHeaders full;
    /** The line whose value {@link #cached} is, or -1. */
    private int cachedLine = -1;
    /** That line's value as last handed out: a String, or an AsciiString view (which keeps its own string). */
    private CharSequence cached;

    HeaderBlock(byte[] packed, int lines) {
        this(packed, lines, false);
    }

    private HeaderBlock(byte[] packed, int lines, boolean trailers) {
        this.bytes = packed;
        this.lines = lines;
        this.trailers = trailers;
        if (lines > MAX_LINES) {
            materialize();
        }
    }

    /** Headers a caller made itself, kept full from the start. */
    private HeaderBlock(HttpHeaders full) {
        this.bytes = NO_BYTES;
        this.lines = 0;
        this.trailers = false;
        this.full = full;
    }

    /** Headers of a section too long for a block's offsets: made full at once from int offsets. */
    static HeaderBlock full(byte[] bytes, int[] at, int lines) {
        HttpHeaders f = DefaultHttpHeadersFactory.headersFactory().newHeaders();
        for (int i = 0; i < lines; i++) {
            int n = 4 * i;
            f.add(new String(bytes, at[n], at[n + 1] - at[n], StandardCharsets.ISO_8859_1),
                    new String(bytes, at[n + 2], at[n + 3] - at[n + 2], StandardCharsets.ISO_8859_1));
        }
        return new HeaderBlock(f);
    }

    /** An empty block, for a message that had no headers. */
    static HeaderBlock empty() {
        return new HeaderBlock(NO_BYTES, 0);
    }

    /**
     * An empty block for a body's trailers: as Netty's trailers, it refuses the fields that would reframe
     * the message (Content-Length, Transfer-Encoding, Trailer).
     */
    static HeaderBlock trailers() {
        return new HeaderBlock(NO_BYTES, 0, true);
    }

    /** Whether the headers are still kept as bytes (and {@link #writeTo} may be used). */
    boolean lean() {
        return full == null;
    }

    /** Lines of the block, removed or not (for {@link #nameLength}, {@link #nameIs} and {@link #isRemoved}). */
    int lines() {
        return lines;
    }

    boolean isRemoved(int line) {
        return (removed & (1L << line)) != 0;
    }

    int nameLength(int line) {
        return nameEnd(line) - nameStart(line);
    }

    private int nameStart(int line) {
        return line == 0 ? 0 : valueEnd(line - 1);
    }

    /** Where line {@code line}'s name ends, which is where its value starts. */
    private int nameEnd(int line) {
        int o = bytes.length - 4 * (lines - line); // the offsets close the array
        return (bytes[o] & 0xFF) << 8 | (bytes[o + 1] & 0xFF);
    }

    private int valueEnd(int line) {
        int o = bytes.length - 4 * (lines - line); // the offsets close the array
        return (bytes[o + 2] & 0xFF) << 8 | (bytes[o + 3] & 0xFF);
    }

    /** Whether line {@code line}'s name is {@code name}, ignoring ASCII case. */
    boolean nameIs(int line, CharSequence name) {
        int s = nameStart(line);
        int len = nameEnd(line) - s;
        if (len != name.length()) {
            return false;
        }
        for (int j = 0; j < len; j++) {
            int a = bytes[s + j];
            int b = name.charAt(j);
            if (a != b && HeaderBytes.lower(a) != HeaderBytes.lower(b)) {
                return false;
            }
        }
        return true;
    }

    /** Line {@code line}'s name in lower case, as HTTP/2 sends it: the shared one for a common name, else a copy. */
    AsciiString lowerName(int line) {
        return KnownHeaderNames.lowerCase(name(line));
    }

    /** Line {@code line}'s value as a view of the block's bytes, which never change: nothing is copied. */
    AsciiString valueView(int line) {
        int s = nameEnd(line);
        return new AsciiString(bytes, s, valueEnd(line) - s, false);
    }

    /** Headers added to the block (not its own lines). */
    int extraCount() {
        return extraCount;
    }

    CharSequence extraName(int i) {
        return extra[2 * i];
    }

    CharSequence extraValue(int i) {
        return extra[2 * i + 1];
    }

    /**
     * Line {@code line}'s value as a string. The last one made is kept: Host, say, is read by the router, the
     * request rules and X-Forwarded-Host, and each read would otherwise copy it again.
     */
    private String value(int line) {
        if (line == cachedLine) {
            return cached.toString();
        }
        int s = nameEnd(line);
        String v = new String(bytes, s, valueEnd(line) - s, StandardCharsets.ISO_8859_1);
        cachedLine = line;
        cached = v;
        return v;
    }

    /**
     * The first value of {@code name} without copying it: a view of the block's bytes (which never change) while
     * lean, else the string. Null when there is none.
     */
    CharSequence view(CharSequence name) {
        if (full == null) {
            for (int i = 0; i < lines; i++) {
                if ((removed & (1L << i)) == 0 && nameIs(i, name)) {
                    if (i == cachedLine) {
                        return cached;
                    }
                    AsciiString v = valueView(i);
                    cachedLine = i;
                    cached = v;
                    return v;
                }
            }
        }
        return get(name);
    }

    /** Whether the first header named {@code name} has exactly the value {@code v}, ignoring ASCII case. */
    boolean valueIs(CharSequence name, CharSequence v) {
        if (full != null) {
            String got = full.get(name);
            return got != null && AsciiString.contentEqualsIgnoreCase(got, v);
        }
        for (int i = 0; i < lines; i++) {
            if ((removed & (1L << i)) == 0 && nameIs(i, name)) {
                return HeaderBytes.equals(bytes, nameEnd(i), valueEnd(i), v, true);
            }
        }
        for (int i = 0; i < extraCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extra[2 * i], name)) {
                return AsciiString.contentEqualsIgnoreCase(extra[2 * i + 1], v);
            }
        }
        return false;
    }

    /**
     * The first header named {@code name} read as a length: 1 to 18 decimal digits and nothing else, read in
     * place. -1 when there is no such header or its value is anything else (the caller then looks closer).
     */
    long digits(CharSequence name) {
        if (full == null) {
            for (int i = 0; i < lines; i++) {
                if ((removed & (1L << i)) == 0 && nameIs(i, name)) {
                    return HeaderBytes.digits(bytes, nameEnd(i), valueEnd(i));
                }
            }
        }
        String v = get(name);
        if (v == null) {
            return -1;
        }
        byte[] b = v.getBytes(StandardCharsets.ISO_8859_1);
        return HeaderBytes.digits(b, 0, b.length);
    }

    /** Line {@code line}'s name: the shared one for a common spelling ({@link KnownHeaderNames}), else a copy. */
    private AsciiString name(int line) {
        int s = nameStart(line);
        int len = nameEnd(line) - s;
        AsciiString known = KnownHeaderNames.find(bytes, s, len);
        return known != null ? known : new AsciiString(bytes, s, len, true);
    }

    /**
     * Writes the headers as {@code name: value CRLF} lines, the block's own bytes first, then what was added.
     * Only while {@link #lean()}.
     */
    void writeTo(ByteBuf buf) {
        for (int i = 0; i < lines; i++) {
            if ((removed & (1L << i)) != 0) {
                continue;
            }
            int ns = nameStart(i);
            int ne = nameEnd(i);
            buf.writeBytes(bytes, ns, ne - ns);
            buf.writeShort((':' << 8) | ' ');
            buf.writeBytes(bytes, ne, valueEnd(i) - ne);
            buf.writeShort(('\r' << 8) | '\n');
        }
        for (int i = 0; i < extraCount; i++) {
            HeaderBytes.writeAscii(buf, extra[2 * i]);
            buf.writeShort((':' << 8) | ' ');
            HeaderBytes.writeAscii(buf, extra[2 * i + 1]);
            buf.writeShort(('\r' << 8) | '\n');
        }
    }

    // ---- the lean paths ----

    @Override
    public String get(CharSequence name) {
        if (full != null) {
            return full.get(name);
        }
        for (int i = 0; i < lines; i++) {
            if ((removed & (1L << i)) == 0 && nameIs(i, name)) {
                return value(i);
            }
        }
        for (int i = 0; i < extraCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extra[2 * i], name)) {
                return extra[2 * i + 1].toString();
            }
        }
        return null;
    }

    @Override
    public List<String> getAll(CharSequence name) {
        if (full != null) {
            return full.getAll(name);
        }
        List<String> all = null;
        for (int i = 0; i < lines; i++) {
            if ((removed & (1L << i)) == 0 && nameIs(i, name)) {
                all = addTo(all, value(i));
            }
        }
        for (int i = 0; i < extraCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extra[2 * i], name)) {
                all = addTo(all, extra[2 * i + 1].toString());
            }
        }
        return all == null ? Collections.emptyList() : all;
    }

    private static List<String> addTo(List<String> all, String v) {
        List<String> l = all == null ? new ArrayList<>(2) : all;
        l.add(v);
        return l;
    }

    @Override
    public boolean contains(CharSequence name) {
        if (full != null) {
            return full.contains(name);
        }
        for (int i = 0; i < lines; i++) {
            if ((removed & (1L << i)) == 0 && nameIs(i, name)) {
                return true;
            }
        }
        for (int i = 0; i < extraCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extra[2 * i], name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        if (full != null) {
            return full.containsValue(name, value, ignoreCase);
        }
        for (int i = 0; i < lines; i++) {
            if ((removed & (1L << i)) == 0 && nameIs(i, name)
                    && HeaderBytes.listHas(bytes, nameEnd(i), valueEnd(i), value, ignoreCase)) {
                return true;
            }
        }
        for (int i = 0; i < extraCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extra[2 * i], name)) {
                CharSequence v = extra[2 * i + 1];
                byte[] b = v.toString().getBytes(StandardCharsets.ISO_8859_1); // added values: rare here
                if (HeaderBytes.listHas(b, 0, b.length, value, ignoreCase)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** How many headers are named {@code name}. */
    int count(CharSequence name) {
        if (full != null) {
            return full.getAll(name).size();
        }
        int n = 0;
        for (int i = 0; i < lines; i++) {
            if ((removed & (1L << i)) == 0 && nameIs(i, name)) {
                n++;
            }
        }
        for (int i = 0; i < extraCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extra[2 * i], name)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int size() {
        return full != null ? full.size() : lines - Long.bitCount(removed) + extraCount;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        if (full == null && value instanceof CharSequence v) {
            append(name, v);
        } else if (full == null && (value instanceof Integer || value instanceof Long)) {
            append(name, value.toString());
        } else {
            materialize().add(name, value);
        }
        return this;
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        if (full != null) {
            full.set(name, value);
            return this;
        }
        remove(name);
        return add(name, value);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        if (full != null) {
            full.remove(name);
            return this;
        }
        for (int i = 0; i < lines; i++) {
            if ((removed & (1L << i)) == 0 && nameIs(i, name)) {
                removed |= 1L << i;
            }
        }
        int kept = 0;
        for (int i = 0; i < extraCount; i++) {
            if (!AsciiString.contentEqualsIgnoreCase(extra[2 * i], name)) {
                extra[2 * kept] = extra[2 * i];
                extra[2 * kept + 1] = extra[2 * i + 1];
                kept++;
            }
        }
        for (int i = kept; i < extraCount; i++) {
            extra[2 * i] = null;
            extra[2 * i + 1] = null;
        }
        extraCount = kept;
        return this;
    }

    @Override
    public HttpHeaders clear() {
        if (full != null) {
            full.clear();
            return this;
        }
        removed = lines == 64 ? -1L : (1L << lines) - 1;
        for (int i = 0; i < 2 * extraCount; i++) {
            extra[i] = null;
        }
        extraCount = 0;
        return this;
    }

    private void append(CharSequence name, CharSequence value) {
        HeaderBytes.checkName(name);
        if (trailers && HeaderBytes.framing(name)) {
            throw new IllegalArgumentException("prohibited trailing header: " + name);
        }
        HeaderBytes.checkValue(value);
        if (extra == null) {
            extra = new CharSequence[10]; // a proxied request gains five: X-Request-Id and X-Forwarded-*
        } else if (2 * extraCount == extra.length) {
            extra = java.util.Arrays.copyOf(extra, extra.length * 2);
        }
        extra[2 * extraCount] = name;
        extra[2 * extraCount + 1] = value;
        extraCount++;
    }

    // ---- everything else: the block becomes Netty's headers, in order ----

    @Override
    public Set<String> names() {
        return full != null ? full.names() : super.names();
    }

    @Override
    HttpHeaders materialize() {
        HttpHeaders f = full;
        if (f == null) {
            f = (trailers ? DefaultHttpHeadersFactory.trailersFactory() : DefaultHttpHeadersFactory.headersFactory())
                    .newHeaders();
            for (int i = 0; i < lines; i++) {
                if ((removed & (1L << i)) == 0) {
                    int ns = nameStart(i);
                    f.add(new String(bytes, ns, nameEnd(i) - ns, StandardCharsets.ISO_8859_1), value(i));
                }
            }
            for (int i = 0; i < extraCount; i++) {
                f.add(extra[2 * i], extra[2 * i + 1]);
            }
            full = f;
            extra = null;
            extraCount = 0;
        }
        return f;
    }

    /**
     * The headers as name and value pairs, in order; while lean this makes one entry per header and does not
     * turn the block into full headers (the HTTP/2 conversion reads every head this way).
     */
    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        if (full != null) {
            return full.iteratorCharSequence();
        }
        List<Map.Entry<CharSequence, CharSequence>> all = new ArrayList<>(size());
        for (int i = 0; i < lines; i++) {
            if ((removed & (1L << i)) == 0) {
                all.add(new AbstractMap.SimpleImmutableEntry<>(name(i), value(i)));
            }
        }
        for (int i = 0; i < extraCount; i++) {
            all.add(new AbstractMap.SimpleImmutableEntry<>(extra[2 * i], extra[2 * i + 1]));
        }
        return all.iterator();
    }

}
