package io.sluice.filter.compress;

import com.aayushatharva.brotli4j.encoder.Encoder;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.compression.BrotliEncoder;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.codec.compression.ZstdEncoder;
import java.util.Locale;

/**
 * A content coding the {@code compress} filter can produce, with its token in {@code Accept-Encoding} and
 * {@code Content-Encoding}, its range of levels and the level used when none is configured. Each makes a fresh
 * Netty encoder for one response. Immutable; thread-safe.
 */
public enum Encoding {
    /** Brotli, quality 0-11; a 512 KiB window (lgwin 19, as ngx_brotli) bounds each response's memory. */
    BR("br", 0, 11, 4),
    /** Zstandard, levels 1-22. */
    ZSTD("zstd", 1, 22, 3),
    /** gzip (RFC 1952), levels 1-9. */
    GZIP("gzip", 1, 9, 6),
    /** zlib-wrapped deflate (RFC 1950), levels 1-9. */
    DEFLATE("deflate", 1, 9, 6);

    private static final int BROTLI_WINDOW = 19;
    private static final int ZSTD_BLOCK = 64 * 1024;
    private static final int ZSTD_MAX_ENCODE = 32 * 1024 * 1024;

    private final String token;
    private final int minLevel;
    private final int maxLevel;
    private final int defaultLevel;

    Encoding(String token, int minLevel, int maxLevel, int defaultLevel) {
        this.token = token;
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
        this.defaultLevel = defaultLevel;
    }

    /** The coding named {@code name} (any case), or null. */
    public static Encoding of(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Encoding e : values()) {
            if (e.token.equals(n)) {
                return e;
            }
        }
        return null;
    }

    /** The token, e.g. {@code gzip}. */
    public String token() {
        return token;
    }

    public int minLevel() {
        return minLevel;
    }

    public int maxLevel() {
        return maxLevel;
    }

    public int defaultLevel() {
        return defaultLevel;
    }

    /** A new encoder for one response at {@code level}. */
    ChannelHandler newEncoder(int level) {
        return switch (this) {
            case BR -> new BrotliEncoder(new Encoder.Parameters().setQuality(level).setWindow(BROTLI_WINDOW));
            case ZSTD -> new ZstdEncoder(level, ZSTD_BLOCK, ZSTD_MAX_ENCODE);
            case GZIP -> ZlibCodecFactory.newZlibEncoder(ZlibWrapper.GZIP, level, 15, 8);
            case DEFLATE -> ZlibCodecFactory.newZlibEncoder(ZlibWrapper.ZLIB, level, 15, 8);
        };
    }
}
