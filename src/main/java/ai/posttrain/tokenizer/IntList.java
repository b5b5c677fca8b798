package ai.posttrain.tokenizer;

import java.util.Arrays;

/** A growable int array, to build id sequences without boxing. */
final class IntList {
    private int[] values;
    private int size;

    IntList(int capacity) { values = new int[Math.max(4, capacity)]; }

    void add(int value) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = value;
    }

    void addAll(int[] more) {
        for (int v : more) add(v);
    }

    int size() { return size; }

    int[] toArray() { return Arrays.copyOf(values, size); }
}
