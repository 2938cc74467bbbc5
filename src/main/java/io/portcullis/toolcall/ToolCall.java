package io.portcullis.toolcall;

/**
 * One complete tool call of a model's answer.
 *
 * @param choice    the {@code index} of the choice that contains it
 * @param index     its {@code index} among that choice's tool calls
 * @param id        the call id, or null when the upstream sent none
 * @param name      the function name
 * @param arguments the arguments as the model wrote them, normally a JSON object
 */
public record ToolCall(int choice, int index, String id, String name, String arguments) {
}
