package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.detect;
import static io.sluice.l4.detect.Feed.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.l4.Detection;
import org.junit.jupiter.api.Test;

/** The mqtt detector on CONNECT packets of MQTT 3.1, 3.1.1 and 5.0 as clients send them, and on others. */
class MqttDetectorTest {
    /** MQTT 3.1.1 CONNECT: clean session, keep-alive 60, client ID "mosq-sub1". */
    private static final byte[] V311 = hex("10 15 0004 4d515454 04 02 003c 0009 6d6f73712d73756231");
    /** MQTT 5.0 CONNECT: clean start, keep-alive 60, no properties, client ID "mosq-sub1". */
    private static final byte[] V5 = hex("10 16 0004 4d515454 05 02 003c 00 0009 6d6f73712d73756231");
    /** MQTT 3.1 CONNECT: clean session, keep-alive 60, client ID "paho1". */
    private static final byte[] V31 = hex("10 13 0006 4d5149736470 03 02 003c 0005 7061686f31");

    private final MqttDetector mqtt = new MqttDetector();

    @Test
    void connectPacketsMatchOnceTheirLevelWasSeen() {
        assertThat(Feed.decidedAfter(mqtt, V311)).isEqualTo(9);
        assertThat(Feed.decidedAfter(mqtt, V5)).isEqualTo(9);
        assertThat(Feed.decidedAfter(mqtt, V31)).isEqualTo(11);
        assertThat(detect(mqtt, V311)).isEqualTo(Detection.MATCH);
        assertThat(detect(mqtt, V5)).isEqualTo(Detection.MATCH);
        assertThat(detect(mqtt, V31)).isEqualTo(Detection.MATCH);
    }

    @Test
    void aLongRemainingLengthIsRead() {
        assertThat(detect(mqtt, hex("10 c1 02 0004 4d515454 04"))).isEqualTo(Detection.MATCH); // 321 bytes
        assertThat(detect(mqtt, hex("10 ff ff ff 7f 0004 4d515454 05"))).isEqualTo(Detection.MATCH); // the largest
    }

    @Test
    void otherPacketsAreNoMatch() {
        assertThat(detect(mqtt, hex("20 02 0000"))).isEqualTo(Detection.NO_MATCH); // CONNACK
        assertThat(detect(mqtt, hex("11 15 0004 4d515454 04"))).isEqualTo(Detection.NO_MATCH); // flags set
        assertThat(detect(mqtt, hex("10 80 80 80 80 01"))).isEqualTo(Detection.NO_MATCH); // five length bytes
        assertThat(detect(mqtt, hex("10 95 00 0004 4d515454 04"))).isEqualTo(Detection.NO_MATCH); // not shortest
        assertThat(detect(mqtt, hex("10 0b 0004 4d515454 04"))).isEqualTo(Detection.NO_MATCH); // too short
        assertThat(detect(mqtt, hex("10 15 0004 4d515453 04"))).isEqualTo(Detection.NO_MATCH); // "MQTS"
        assertThat(detect(mqtt, hex("10 15 0004 4d515454 03"))).isEqualTo(Detection.NO_MATCH); // MQTT level 3
        assertThat(detect(mqtt, hex("10 15 0004 4d515454 06"))).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(mqtt, hex("10 15 0006 4d5149736470 04"))).isEqualTo(Detection.NO_MATCH); // MQIsdp level 4
        assertThat(detect(mqtt, hex("10 15 0005 4d51545458"))).isEqualTo(Detection.NO_MATCH);
    }
}
