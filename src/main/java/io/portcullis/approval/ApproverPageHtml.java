package io.portcullis.approval;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Renders the approver page. Every value from an approval or a token is HTML-escaped. */
final class ApproverPageHtml {

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#1d1d1f}
            h1{font-size:1.4rem}.notice{background:#eef6ee;border:1px solid #9c9;padding:.6rem;margin:1rem 0}
            .approval{border:1px solid #ccc;border-radius:6px;padding:1rem;margin:1rem 0}
            dt{font-weight:600}dd{margin:0 0 .4rem 0}pre{background:#f5f5f7;padding:.6rem;overflow:auto;font-size:.85rem}
            form{display:inline-block;margin-right:1rem}input[type=text]{width:18rem}
            button{padding:.3rem .9rem}.deny button{background:#b3261e;color:#fff;border:0}
            .approve button{background:#146c2e;color:#fff;border:0}""";

    private ApproverPageHtml() {
    }

    static String queue(Approver viewer, List<Approval> approvals, String csrf, String notice) {
        StringBuilder html = head(viewer);
        if (notice != null && !notice.isBlank()) {
            html.append("<p class=\"notice\" role=\"status\">").append(escape(notice)).append("</p>");
        }
        if (approvals.isEmpty()) {
            html.append("<p id=\"empty\">Nothing waits for your approval.</p>");
        }
        for (Approval approval : approvals) {
            html.append(card(approval, csrf));
        }
        return html.append("</main></body></html>").toString();
    }

    static String message(Approver viewer, String text) {
        return head(viewer).append("<p class=\"notice\" role=\"alert\">").append(escape(text))
                .append("</p><p><a href=\"/approvals\">Back to the queue</a></p></main></body></html>").toString();
    }

    private static StringBuilder head(Approver viewer) {
        return new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Portcullis approvals</title><style>").append(STYLE).append("</style></head><body><main>")
                .append("<h1>Approvals waiting for ").append(escape(viewer.displayName())).append("</h1>");
    }

    private static String card(Approval approval, String csrf) {
        JsonObject context = new JsonObject(approval.context);
        JsonObject requester = context.getJsonObject("requester", new JsonObject());
        String what = approval.kind() == ApprovalKind.TOOL_CALL
                ? "Tool call " + context.getJsonObject("tool", new JsonObject()).getString("name", "?")
                : "Request for model " + context.getJsonObject("request", new JsonObject()).getString("model", "?");
        StringBuilder html = new StringBuilder("<section class=\"approval\" data-approval-id=\"")
                .append(approval.id).append("\"><h2>").append(escape(what)).append("</h2><dl>");
        field(html, "Requested by", (approval.username != null ? approval.username : approval.subject)
                + describeRequester(requester));
        field(html, "Why the policy holds it", approval.reason == null ? "(no reason given)" : approval.reason);
        field(html, "Approvals needed", approval.minApprovals + " from "
                + String.join(", ", new JsonArray(approval.approverGroups).stream().map(String::valueOf).toList()));
        field(html, "Expires", approval.expiresAt.toString());
        field(html, "Approval id", approval.id.toString());
        html.append("</dl><details open><summary>Context (masked, no prompt text)</summary><pre>")
                .append(escape(context.encodePrettily())).append("</pre></details>");
        form(html, approval, csrf, "approve", "Approve", "Reason (optional)", false);
        form(html, approval, csrf, "deny", "Deny", "Reason (required, shown to the requester)", true);
        return html.append("</section>").toString();
    }

    private static String describeRequester(JsonObject requester) {
        StringBuilder text = new StringBuilder();
        if (requester.getString("purpose") != null) {
            text.append(", purpose ").append(requester.getString("purpose"));
        }
        if (requester.getBoolean("agent", false)) {
            text.append(", agent ").append(requester.getString("client_id", "?"));
        }
        return text.toString();
    }

    private static void field(StringBuilder html, String name, String value) {
        html.append("<dt>").append(escape(name)).append("</dt><dd>").append(escape(value)).append("</dd>");
    }

    private static void form(StringBuilder html, Approval approval, String csrf, String verdict, String label,
            String placeholder, boolean required) {
        html.append("<form class=\"").append(verdict).append("\" method=\"post\" action=\"/approvals/")
                .append(approval.id).append('/').append(verdict).append("\">")
                .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(escape(csrf)).append("\">")
                .append("<input type=\"text\" name=\"reason\" maxlength=\"").append(ApprovalRoutes.MAX_REASON_CHARS)
                .append("\" placeholder=\"").append(escape(placeholder)).append('"')
                .append(required ? " required" : "").append(" aria-label=\"").append(escape(placeholder)).append("\">")
                .append("<button type=\"submit\">").append(label).append("</button></form>");
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
