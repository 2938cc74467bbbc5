package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds URLs with credentials ({@code scheme://user:password@host}) and connection strings
 * with a {@code password=} (or {@code pwd=}) parameter: JDBC URLs and ADO.NET-style
 * {@code Server=...;Password=...} strings. A URL of a database or message broker scheme is a
 * {@code CONNECTION_STRING}; credentials in any other URL are a {@code PASSWORD}.
 */
public final class ConnectionStringDetector implements OpenTailDetector {

    /** Characters that a URL with credentials consists of. */
    private static final Tails.CharClass URL_CHARS = c -> " \t\n\u000B\f\r'\"<>".indexOf(c) < 0;

    /**
     * The start of an ADO.NET-style string that a later {@code password=} could complete: a
     * server key with nothing after it but whitespace, or an {@code =} and characters that the
     * string may contain. The key "data source" contains a space, so "data" followed by a
     * partial word counts too.
     */
    private static final Pattern OPEN_SERVER_KEY = Pattern.compile(
            "(?i)(?<![A-Za-z0-9])(?:(?:server|data source|host|hostname|address|addr)\\s*+(?:=[^\\n\"']*+)?\\s*+"
                    + "|data [a-z]*+)$");
    /** A JDBC URL that ends with a password key that a later {@code =} and value could complete. */
    private static final Pattern OPEN_JDBC_PASSWORD = Pattern.compile(
            "(?i)(?<![A-Za-z0-9])jdbc:[a-z0-9]+:[^\\s\"'<>]*?(?:password|pwd)\\s*+(?:=\\s*+)?$");
    /**
     * Characters before the last line break or quote in which an open server key is searched:
     * the key and the whitespace before its {@code =}, which may contain line breaks.
     */
    private static final int KEY_LOOKBACK = 64;

    static final double CONFIDENCE = 0.9;

    private static final Set<String> DATABASE_SCHEMES = Set.of("postgres", "postgresql", "mysql", "mariadb", "mongodb",
            "mongodb+srv", "redis", "rediss", "amqp", "amqps", "mssql", "sqlserver", "oracle", "cockroachdb",
            "clickhouse", "couchdb", "neo4j", "neo4j+s", "bolt", "cassandra", "elasticsearch", "kafka", "nats");

    /** Scheme, user, password and host; the password may not contain '@' or a slash. */
    private static final Pattern URL_WITH_CREDENTIALS = Pattern.compile(
            "(?<![A-Za-z0-9+.:-])((?:jdbc:)?[A-Za-z][A-Za-z0-9+.-]*+)://[^\\s:/@'\"<>]*:[^\\s/@'\"<>]+@[^\\s/?#'\"<>@]+");

    private static final Pattern PASSWORD_PARAMETER = Pattern.compile(
            "(?i)(?<![A-Za-z0-9])(?:jdbc:[a-z0-9]+:[^\\s\"'<>]*?"
                    + "|(?:server|data source|host|hostname|address|addr)\\s*=[^;\\n\"']*;[^\\n\"']*?)"
                    + "(?:password|pwd)\\s*=\\s*[^;&\\s\"']+");

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        Matcher url = URL_WITH_CREDENTIALS.matcher(text);
        while (url.find()) {
            String scheme = url.group(1).toLowerCase(Locale.ROOT);
            boolean database = scheme.startsWith("jdbc:") || DATABASE_SCHEMES.contains(scheme);
            String type = database ? EntityTypes.CONNECTION_STRING : EntityTypes.PASSWORD;
            findings.add(new Finding(type, url.start(), url.end(), CONFIDENCE));
        }
        Matcher parameter = PASSWORD_PARAMETER.matcher(text);
        while (parameter.find()) {
            findings.add(new Finding(EntityTypes.CONNECTION_STRING, parameter.start(), parameter.end(), CONFIDENCE));
        }
        return findings;
    }

    @Override
    public int openFrom(String text) {
        int open = Tails.runStart(text, URL_CHARS);
        int lastBreak = Math.max(text.lastIndexOf('\n'), Math.max(text.lastIndexOf('"'), text.lastIndexOf('\'')));
        Matcher server = OPEN_SERVER_KEY.matcher(text).region(Math.max(0, lastBreak - KEY_LOOKBACK), text.length());
        server.useTransparentBounds(true);
        if (server.find()) {
            open = Math.min(open, server.start());
        }
        // A JDBC URL has no whitespace, except around the "=" after its password key.
        int urlEnd = text.length();
        while (urlEnd > 0 && Character.isWhitespace(text.charAt(urlEnd - 1))) {
            urlEnd--;
        }
        Matcher jdbc = OPEN_JDBC_PASSWORD.matcher(text).region(Tails.runStartBefore(text, urlEnd, URL_CHARS), text.length());
        jdbc.useTransparentBounds(true);
        if (jdbc.find()) {
            open = Math.min(open, jdbc.start());
        }
        return open;
    }
}
