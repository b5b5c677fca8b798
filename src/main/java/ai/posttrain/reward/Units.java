package ai.posttrain.reward;

import java.util.HashMap;
import java.util.Map;

/** A small table of SI and common units: each maps to a dimension and its factor to the SI unit. */
final class Units {
    record Unit(String symbol, String dimension, double toSi) {}

    private static final Map<String, Unit> TABLE = new HashMap<>();

    private static void add(String dimension, Object... symbolFactor) {
        for (int i = 0; i < symbolFactor.length; i += 2) {
            String symbol = (String) symbolFactor[i];
            TABLE.put(symbol, new Unit(symbol, dimension, ((Number) symbolFactor[i + 1]).doubleValue()));
        }
    }

    static {
        add("length", "m", 1, "km", 1e3, "cm", 1e-2, "mm", 1e-3, "µm", 1e-6, "um", 1e-6, "nm", 1e-9);
        add("mass", "kg", 1, "g", 1e-3, "mg", 1e-6, "t", 1e3);
        add("time", "s", 1, "ms", 1e-3, "µs", 1e-6, "min", 60, "h", 3600);
        add("speed", "m/s", 1, "km/h", 1 / 3.6, "km/s", 1e3, "cm/s", 1e-2);
        add("acceleration", "m/s^2", 1);
        add("force", "N", 1, "kN", 1e3);
        add("energy", "J", 1, "kJ", 1e3, "MJ", 1e6, "eV", 1.602176634e-19, "kWh", 3.6e6, "cal", 4.184, "kcal", 4184);
        add("power", "W", 1, "kW", 1e3, "MW", 1e6);
        add("pressure", "Pa", 1, "kPa", 1e3, "MPa", 1e6, "bar", 1e5, "atm", 101325);
        add("frequency", "Hz", 1, "kHz", 1e3, "MHz", 1e6);
        add("charge", "C", 1, "mC", 1e-3, "µC", 1e-6);
        add("voltage", "V", 1, "mV", 1e-3, "kV", 1e3);
        add("current", "A", 1, "mA", 1e-3);
        add("resistance", "Ω", 1, "ohm", 1, "kΩ", 1e3);
        add("temperature", "K", 1);
        add("area", "m^2", 1, "cm^2", 1e-4, "km^2", 1e6);
        add("volume", "m^3", 1, "L", 1e-3, "mL", 1e-6, "cm^3", 1e-6);
        add("amount", "mol", 1, "mmol", 1e-3);
        add("density", "kg/m^3", 1, "g/cm^3", 1e3);
    }

    private Units() {}

    /** Writing variants folded together: "m/s²" = "m/s^2", "μm" = "µm", "m·s" = "m*s", "sec" = "s". */
    static String normalise(String unit) {
        String u = unit.strip().replace("²", "^2").replace("³", "^3").replace("μ", "µ").replace("·", "*")
                .replace("Ohm", "ohm").replace(" ", "");
        if (u.endsWith(".")) u = u.substring(0, u.length() - 1);
        return switch (u) {
            case "sec", "secs", "seconds", "second" -> "s";
            case "meters", "meter", "metres", "metre" -> "m";
            case "ohms" -> "ohm";
            default -> u;
        };
    }

    /** The known unit for a (normalised) symbol, or null. */
    static Unit lookup(String normalisedUnit) { return TABLE.get(normalisedUnit); }
}
