package io.portcullis.masking;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pseudonyms of one session as loaded for one request: which value each placeholder
 * stands for. Values first seen in this request get the next ordinal of their type and are
 * listed by {@link #added()} so that the store can save them. Methods are synchronized because
 * a large prompt is masked on a worker thread while the answer is masked on the event loop.
 */
public final class Pseudonyms {

    /** One pseudonym: the entity's type, its number within the type, and the original value. */
    public record Entry(String type, int ordinal, String value) {

        public String placeholder() {
            return Placeholders.pseudonym(type, ordinal);
        }
    }

    private final Map<String, Entry> byValue = new HashMap<>();
    private final Map<String, Entry> byPlaceholder = new HashMap<>();
    private final Map<String, Integer> lastOrdinal = new HashMap<>();
    private final List<Entry> added = new ArrayList<>();

    /** Creates the pseudonyms of a session from the entries already stored for it. */
    public Pseudonyms(List<Entry> stored) {
        for (Entry entry : stored) {
            remember(entry);
        }
    }

    public static Pseudonyms empty() {
        return new Pseudonyms(List.of());
    }

    /** Returns the placeholder of a value, numbering it after the others of its type when it is new. */
    public synchronized String placeholder(String type, String value) {
        Entry entry = byValue.get(key(type, value));
        if (entry == null) {
            entry = new Entry(type, lastOrdinal.getOrDefault(type, 0) + 1, value);
            remember(entry);
            added.add(entry);
        }
        return entry.placeholder();
    }

    /** Returns the value that a placeholder stands for, or null when the session has no such placeholder. */
    public synchronized String original(String placeholder) {
        Entry entry = byPlaceholder.get(placeholder);
        return entry == null ? null : entry.value();
    }

    /** Returns the entries first seen in this request, in the order they were numbered. */
    public synchronized List<Entry> added() {
        return List.copyOf(added);
    }

    /** Returns the entries numbered since the last call, and forgets them, once they are stored. */
    public synchronized List<Entry> takeAdded() {
        List<Entry> taken = List.copyOf(added);
        added.clear();
        return taken;
    }

    public synchronized boolean isEmpty() {
        return byValue.isEmpty();
    }

    private void remember(Entry entry) {
        byValue.put(key(entry.type(), entry.value()), entry);
        byPlaceholder.put(entry.placeholder(), entry);
        lastOrdinal.merge(entry.type(), entry.ordinal(), Math::max);
    }

    private static String key(String type, String value) {
        return type + '\u0000' + value;
    }
}
