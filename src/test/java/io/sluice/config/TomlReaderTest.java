package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TOML text becomes the YAML reader's tree: the same kinds of node, each with the line:column it is written at. */
class TomlReaderTest {

    private static YamlNode.Mapping read(String toml) {
        YamlReader.Result r = TomlReader.read(toml);
        assertThat(r.errors()).isEmpty();
        return (YamlNode.Mapping) r.root();
    }

    private static ConfigError onlyError(String toml) {
        YamlReader.Result r = TomlReader.read(toml);
        assertThat(r.root()).isNull();
        assertThat(r.errors()).hasSize(1);
        return r.errors().get(0);
    }

    /** Follows keys (String) and indexes (Integer) from {@code root}. */
    private static YamlNode at(YamlNode root, Object... path) {
        YamlNode n = root;
        for (Object step : path) {
            n = step instanceof Integer i ? ((YamlNode.Sequence) n).items().get(i)
                    : ((YamlNode.Mapping) n).get((String) step);
        }
        return n;
    }

    private static String where(YamlNode n) {
        return n.line() + ":" + n.column();
    }

    @Test
    void scalarsAreTypedAsYamlTypesThem() {
        YamlNode.Mapping m = read("""
                i = 1_000
                hex = 0x10
                f = 1.5
                inf = inf
                yes = true
                s = "a \\"b\\""
                lit = 'C:\\dir'
                when = 1979-05-27T07:32:00Z
                big = 99999999999999999999
                """);
        assertThat((YamlNode.Scalar) at(m, "i")).extracting(YamlNode.Scalar::kind, YamlNode.Scalar::value)
                .containsExactly(YamlNode.Kind.INT, 1000);
        assertThat(((YamlNode.Scalar) at(m, "hex")).value()).isEqualTo(16);
        assertThat(((YamlNode.Scalar) at(m, "f")).kind()).isEqualTo(YamlNode.Kind.FLOAT);
        assertThat(((Number) ((YamlNode.Scalar) at(m, "f")).value()).doubleValue()).isEqualTo(1.5);
        assertThat(((YamlNode.Scalar) at(m, "inf")).kind()).isEqualTo(YamlNode.Kind.FLOAT);
        assertThat((YamlNode.Scalar) at(m, "yes")).extracting(YamlNode.Scalar::kind, YamlNode.Scalar::value)
                .containsExactly(YamlNode.Kind.BOOL, true);
        assertThat((YamlNode.Scalar) at(m, "s")).extracting(YamlNode.Scalar::kind, YamlNode.Scalar::text)
                .containsExactly(YamlNode.Kind.STRING, "a \"b\"");
        assertThat(((YamlNode.Scalar) at(m, "lit")).text()).isEqualTo("C:\\dir");
        assertThat((YamlNode.Scalar) at(m, "when")).extracting(YamlNode.Scalar::kind, YamlNode.Scalar::text)
                .containsExactly(YamlNode.Kind.STRING, "1979-05-27T07:32:00Z");
        assertThat(((YamlNode.Scalar) at(m, "big")).kind()).isEqualTo(YamlNode.Kind.INT);
        assertThat(m.entries()).extracting(YamlNode.Entry::key)
                .containsExactly("i", "hex", "f", "inf", "yes", "s", "lit", "when", "big");
    }

    @Test
    void everyKeyAndValueHasItsLineAndColumn() {
        YamlNode.Mapping m = read("""
                workers = 4
                [admin]
                  bind = "127.0.0.1:9901"
                [[pools]]
                name = "web"
                timeouts = { connect = "2s", idle = "60s" }
                  [[pools.backends]]
                  address = "a:1"
                  [[pools.backends]]
                  address = "b:2"
                [[pools]]
                name = "api"
                backends = [
                  # a comment
                  { address = "c:3" },
                    "d:4",
                ]
                """);
        assertThat(m.entry("workers")).extracting(YamlNode.Entry::line, YamlNode.Entry::column).containsExactly(1, 1);
        assertThat(where(at(m, "workers"))).isEqualTo("1:11");
        assertThat(m.entry("admin")).extracting(YamlNode.Entry::line, YamlNode.Entry::column).containsExactly(2, 2);
        assertThat(where(at(m, "admin"))).isEqualTo("2:1");
        assertThat(where(at(m, "admin", "bind"))).isEqualTo("3:10");
        assertThat(where(at(m, "pools"))).isEqualTo("4:3");
        assertThat(where(at(m, "pools", 0))).isEqualTo("4:1");
        assertThat(where(at(m, "pools", 0, "name"))).isEqualTo("5:8");
        assertThat(where(at(m, "pools", 0, "timeouts"))).isEqualTo("6:12");
        assertThat(where(at(m, "pools", 0, "timeouts", "idle"))).isEqualTo("6:37");
        assertThat(where(at(m, "pools", 0, "backends", 0))).isEqualTo("7:3");
        assertThat(where(at(m, "pools", 0, "backends", 1, "address"))).isEqualTo("10:13");
        assertThat(where(at(m, "pools", 1))).isEqualTo("11:1");
        assertThat(where(at(m, "pools", 1, "backends"))).isEqualTo("13:12");
        assertThat(where(at(m, "pools", 1, "backends", 0))).isEqualTo("15:3");
        assertThat(where(at(m, "pools", 1, "backends", 0, "address"))).isEqualTo("15:15");
        assertThat(where(at(m, "pools", 1, "backends", 1))).isEqualTo("16:5");
    }

    @Test
    void dottedAndQuotedKeysAndMultiLineStringsKeepLaterLinesRight() {
        YamlNode.Mapping m = read("""
                a.b = 1
                "x.y" = '''
                two
                lines'''
                headers = { "X-A\\u0042" = "1" }
                "quoted" . c = \"\"\"
                one \\
                  more\"\"\"
                last = 2
                """);
        assertThat(where(at(m, "a"))).isEqualTo("1:1");
        assertThat(where(at(m, "a", "b"))).isEqualTo("1:7");
        assertThat(m.entry("x.y")).extracting(YamlNode.Entry::line, YamlNode.Entry::column).containsExactly(2, 1);
        assertThat(((YamlNode.Scalar) at(m, "x.y")).text()).isEqualTo("two\nlines");
        assertThat(where(at(m, "headers", "X-AB"))).isEqualTo("5:27");
        assertThat(where(at(m, "quoted", "c"))).isEqualTo("6:16");
        assertThat(((YamlNode.Scalar) at(m, "quoted", "c")).text()).isEqualTo("one more");
        assertThat(where(at(m, "last"))).isEqualTo("9:8");
    }

    @Test
    void aSubTableHeaderBelongsToTheLastElementOfItsArrayOfTables() {
        YamlNode.Mapping m = read("""
                [[pools]]
                name = "a"
                [[pools]]
                name = "b"
                [pools.health_check]
                path = "/hz" # comment with ] and "
                [[pools.backends]]
                address = "x:1"
                """);
        assertThat(((YamlNode.Mapping) at(m, "pools", 0)).entries()).extracting(YamlNode.Entry::key)
                .containsExactly("name");
        assertThat(where(at(m, "pools", 1, "health_check"))).isEqualTo("5:1");
        assertThat(((YamlNode.Mapping) at(m, "pools", 1)).entry("health_check"))
                .extracting(YamlNode.Entry::line, YamlNode.Entry::column).containsExactly(5, 8);
        assertThat(where(at(m, "pools", 1, "health_check", "path"))).isEqualTo("6:8");
        assertThat(where(at(m, "pools", 1, "backends", 0, "address"))).isEqualTo("8:11");
    }

    @Test
    void anEmptyDocumentHasNoRootAndNoError() {
        YamlReader.Result r = TomlReader.read("# nothing here\n\n");
        assertThat(r.root()).isNull();
        assertThat(r.errors()).isEmpty();
    }

    @Test
    void aSyntaxErrorIsReportedAloneWithItsPlace() {
        ConfigError e = onlyError("""
                workers = 1
                [admin]
                bind = "127.0.0.1:9901
                """);
        assertThat(e).extracting(ConfigError::line, ConfigError::column).containsExactly(3, 23);
        assertThat(e.message()).startsWith("TOML syntax error: ");
    }

    @Test
    void aKeyOrTableDefinedTwiceIsReportedAtTheSecondDefinition() {
        ConfigError key = onlyError("""
                [admin]
                bind = "a:1"
                  bind = "a:2"
                """);
        assertThat(key).extracting(ConfigError::line, ConfigError::column).containsExactly(3, 3);
        assertThat(key.message()).contains("Duplicate key");

        ConfigError table = onlyError("""
                [limits]
                max_connections = 1
                [admin]
                [ limits ]
                """);
        assertThat(table).extracting(ConfigError::line, ConfigError::column).containsExactly(4, 3);
        assertThat(table.message()).contains("Table redefined");
    }

    @Test
    @Timeout(10)
    void theLocationPassStopsOnTextTheParserRefused() {
        // It runs on refused text to place a duplicate key; it must end, whatever it meets.
        for (String text : List.of("a = [ } ]", "a = [1,, }", "a = {", "[[a", "a.b.c = ", "x = \"\0", "= 1",
                "a = 1\na = [ \u0000 ]", "k" + ".k".repeat(20_000) + " = 1")) {
            TomlLocations places = TomlLocations.scan(text);
            assertThat(places).isNotNull();
        }
        assertThat(TomlLocations.scan("a = 1\na = [ } ]").redefinition()).isEqualTo(
                new TomlLocations.Place(2, 1, 2, 1));
    }

    @Test
    void nestingTooDeepIsAnErrorNotACrash() {
        ConfigError e = onlyError("a = " + "[".repeat(5000));
        assertThat(e.message()).startsWith("TOML syntax error");
        assertThat(List.of(e.line(), e.column())).allMatch(n -> n >= 0);
    }
}
