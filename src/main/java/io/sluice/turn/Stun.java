package io.sluice.turn;

/**
 * The numbers of STUN (RFC 8489) and TURN (RFC 8656): message classes and methods, attribute types, the magic
 * cookie, and how a method and a class make a message type. Constants only.
 */
public final class Stun {
    /** The fixed value in bytes 4-7 of every RFC 5389/8489 message; RFC 3489 clients put random bits there. */
    public static final int MAGIC_COOKIE = 0x2112A442;
    /** Bytes in a message header: type, length, cookie, transaction id. */
    public static final int HEADER = 20;

    public static final int REQUEST = 0;
    public static final int INDICATION = 1;
    public static final int SUCCESS = 2;
    public static final int ERROR = 3;

    public static final int BINDING = 0x001;
    /** TURN (RFC 8656) methods. */
    public static final int ALLOCATE = 0x003;
    public static final int REFRESH = 0x004;
    public static final int SEND = 0x006;
    public static final int DATA = 0x007;
    public static final int CREATE_PERMISSION = 0x008;
    public static final int CHANNEL_BIND = 0x009;

    public static final int MAPPED_ADDRESS = 0x0001;
    /** RFC 3489: asks the server to answer from another address or port. */
    public static final int CHANGE_REQUEST = 0x0003;
    /** RFC 3489: the address the response was sent from. */
    public static final int SOURCE_ADDRESS = 0x0004;
    /** RFC 3489: the address a CHANGE-REQUEST would answer from. */
    public static final int CHANGED_ADDRESS = 0x0005;
    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int UNKNOWN_ATTRIBUTES = 0x000A;
    public static final int CHANNEL_NUMBER = 0x000C;
    public static final int LIFETIME = 0x000D;
    public static final int XOR_PEER_ADDRESS = 0x0012;
    public static final int DATA_VALUE = 0x0013;
    public static final int REALM = 0x0014;
    public static final int NONCE = 0x0015;
    public static final int XOR_RELAYED_ADDRESS = 0x0016;
    public static final int REQUESTED_ADDRESS_FAMILY = 0x0017;
    public static final int EVEN_PORT = 0x0018;
    public static final int REQUESTED_TRANSPORT = 0x0019;
    public static final int DONT_FRAGMENT = 0x001A;
    public static final int MESSAGE_INTEGRITY_SHA256 = 0x001C;
    public static final int PASSWORD_ALGORITHM = 0x001D;
    public static final int USERHASH = 0x001E;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int RESERVATION_TOKEN = 0x0022;
    public static final int PASSWORD_ALGORITHMS = 0x8002;
    public static final int ALTERNATE_DOMAIN = 0x8003;
    public static final int SOFTWARE = 0x8022;
    public static final int ALTERNATE_SERVER = 0x8023;
    public static final int FINGERPRINT = 0x8028;
    /** RFC 5780: the address and port the response was sent from. */
    public static final int RESPONSE_ORIGIN = 0x802B;

    /** XORed into the CRC-32 of a message to make its FINGERPRINT. */
    public static final int FINGERPRINT_XOR = 0x5354554E;

    /** The lowest and highest channel numbers a client may bind (RFC 5766's range, which clients still use). */
    public static final int CHANNEL_MIN = 0x4000;
    public static final int CHANNEL_MAX = 0x7FFF;
    /** REQUESTED-TRANSPORT's protocol number for UDP, the only relay transport served. */
    public static final int UDP = 17;

    /** Address families in (XOR-)MAPPED-ADDRESS. */
    public static final int FAMILY_IPV4 = 0x01;
    public static final int FAMILY_IPV6 = 0x02;

    private Stun() {
    }

    /** The 14-bit message type of {@code method} (12 bits) and {@code cls} (2 bits). */
    public static int messageType(int method, int cls) {
        return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
                | ((cls & 0x1) << 4) | ((cls & 0x2) << 7);
    }

    /** The method of a 14-bit message type. */
    public static int method(int type) {
        return (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
    }

    /** The class of a 14-bit message type: {@link #REQUEST}, {@link #INDICATION}, {@link #SUCCESS} or {@link #ERROR}. */
    public static int messageClass(int type) {
        return ((type >> 4) & 0x1) | ((type >> 7) & 0x2);
    }

    /** Whether an attribute type must be understood by a receiver that meets it (0x0000-0x7FFF). */
    public static boolean comprehensionRequired(int attributeType) {
        return attributeType < 0x8000;
    }
}
