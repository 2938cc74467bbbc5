package io.portcullis.observability;

import static io.restassured.RestAssured.given;

/** Reads sample values from the gateway's {@code /q/metrics} page in the Prometheus text format. */
public final class PrometheusText {

    private PrometheusText() {
    }

    public static String scrape() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().body().asString();
    }

    /**
     * Returns the sum of the samples named {@code name} whose labels include every
     * {@code label="value"} pair given, or 0 when there is none.
     */
    public static double sum(String page, String name, String... labels) {
        double total = 0;
        for (String line : page.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            String rest = line.substring(name.length());
            if (!rest.startsWith("{") && !rest.startsWith(" ")) {
                continue;
            }
            if (hasLabels(rest, labels)) {
                total += Double.parseDouble(rest.substring(rest.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static boolean hasLabels(String rest, String... labels) {
        for (String label : labels) {
            if (!rest.contains(label)) {
                return false;
            }
        }
        return true;
    }
}
