package ai.posttrain.data;

import java.util.LinkedHashMap;
import java.util.Map;

/** Small fixed fact tables behind the built-in conversation and agent data (and the lookup_capital tool). */
public final class Facts {
    private Facts() {}

    public static final Map<String, String> CAPITALS = pairs(
            "France", "Paris", "Germany", "Berlin", "Italy", "Rome", "Spain", "Madrid", "Portugal", "Lisbon",
            "Japan", "Tokyo", "China", "Beijing", "India", "New Delhi", "Canada", "Ottawa", "Mexico", "Mexico City",
            "Brazil", "Brasilia", "Argentina", "Buenos Aires", "Peru", "Lima", "Chile", "Santiago", "Egypt", "Cairo",
            "Kenya", "Nairobi", "Nigeria", "Abuja", "Norway", "Oslo", "Sweden", "Stockholm", "Finland", "Helsinki",
            "Poland", "Warsaw", "Greece", "Athens", "Turkey", "Ankara", "Russia", "Moscow", "Australia", "Canberra",
            "Ireland", "Dublin", "Austria", "Vienna", "Hungary", "Budapest", "Thailand", "Bangkok", "Vietnam", "Hanoi");

    public static final Map<String, String> OPPOSITES = pairs(
            "hot", "cold", "big", "small", "fast", "slow", "happy", "sad", "light", "dark", "early", "late",
            "open", "closed", "full", "empty", "hard", "soft", "high", "low", "young", "old", "strong", "weak",
            "loud", "quiet", "wet", "dry", "rich", "poor", "near", "far", "thick", "thin", "cheap", "expensive");

    public static final Map<String, String> COLOR_MIXES = pairs(
            "red and yellow", "orange", "blue and yellow", "green", "red and blue", "purple", "red and white", "pink",
            "black and white", "gray", "blue and white", "light blue", "yellow and purple", "brown");

    public static final Map<String, String> ANIMAL_SOUNDS = pairs(
            "dog", "barks", "cat", "meows", "cow", "moos", "sheep", "baas", "duck", "quacks", "lion", "roars",
            "horse", "neighs", "owl", "hoots", "frog", "croaks", "pig", "oinks", "snake", "hisses", "bee", "buzzes");

    public static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

    private static Map<String, String> pairs(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }
}
