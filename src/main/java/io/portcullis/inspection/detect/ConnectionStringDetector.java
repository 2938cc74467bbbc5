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
public final class ConnectionStringDetector implements Detector {

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
}
