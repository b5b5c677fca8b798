package ai.posttrain.data.builtin;

import ai.posttrain.data.BuiltinRecord;

import java.math.BigDecimal;
import java.util.List;
import java.util.Random;

/**
 * Numeric physics and unit problems; the answer is a number and a unit ("12 m/s").
 * Difficulty 1: one sum or difference of two two-digit quantities (resistors in series, opposing
 * forces, two legs of a trip, added mass, elapsed time), worked in the same column trace as the
 * math suite's difficulty 1, or a conversion by 100 or 1000. Like math, multiplication starts at 2.
 * 2: one formula with a product or quotient (v = d/t, F = m a, V = I R, density, work, power),
 * conversions by 60 and decimal conversions.
 * 3: two-step problems (acceleration then force), kinetic energy, distance under acceleration.
 * Response: {@code <think>} the formula with the numbers and units {@code </think>} then the answer.
 */
public final class StemProblems implements Generator {
    private static final String[] VEHICLES = {"car", "train", "bus", "cyclist", "truck"};

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty) {
        return switch (difficulty) {
            case 1 -> {
                int kind = rnd.nextInt(TWO_DIGIT_KINDS.size() + 1);
                yield kind < TWO_DIGIT_KINDS.size() ? twoDigit(rnd, TWO_DIGIT_KINDS.get(kind)) : wholeConversion(rnd, true);
            }
            case 2 -> switch (rnd.nextInt(9)) {
                case 0 -> speed(rnd);
                case 1 -> force(rnd);
                case 2 -> ohm(rnd);
                case 3 -> wholeConversion(rnd, false);
                case 4 -> speedWithMinutes(rnd);
                case 5 -> decimalConversion(rnd);
                case 6 -> density(rnd);
                case 7 -> work(rnd);
                default -> power(rnd);
            };
            default -> switch (rnd.nextInt(4)) {
                case 0 -> forceFromVelocities(rnd);
                case 1 -> kineticEnergy(rnd);
                case 2 -> distanceFromRest(rnd);
                default -> metresPerSecondToKmh(rnd);
            };
        };
    }

    // ---- difficulty 1: two-digit sums and differences ----

    /** A difficulty-1 problem kind: {a}, {b} and {vehicle} in the prompt are filled in; a - b has a > b. */
    private record TwoDigitKind(String key, String prompt, String formula, char op, String unit) {}

    private static final List<TwoDigitKind> TWO_DIGIT_KINDS = List.of(
            new TwoDigitKind("series", "Resistors of {a} ohm and {b} ohm are connected in series. What is the total resistance?",
                    "R = R1 + R2", '+', "ohm"),
            new TwoDigitKind("net-force", "Forces of {a} N and {b} N pull a box in opposite directions. What is the net force?",
                    "F = F1 - F2", '-', "N"),
            new TwoDigitKind("legs", "A {vehicle} travels {a} km and then another {b} km. How far does it travel in total?",
                    "d = d1 + d2", '+', "km"),
            new TwoDigitKind("mass", "A crate of {a} kg is loaded with {b} kg of sand. What is the total mass?",
                    "m = m1 + m2", '+', "kg"),
            new TwoDigitKind("elapsed", "A reaction starts at t = {b} s and ends at t = {a} s. How long does it last?",
                    "t = t2 - t1", '-', "s"));

    private static BuiltinRecord twoDigit(Random rnd, TwoDigitKind kind) {
        int a = Pick.between(rnd, kind.op() == '-' ? 11 : 10, 99);
        int b = kind.op() == '-' ? Pick.between(rnd, 10, a - 1) : Pick.between(rnd, 10, 99);
        String prompt = kind.prompt().replace("{a}", Integer.toString(a)).replace("{b}", Integer.toString(b));
        if (prompt.contains("{vehicle}")) prompt = prompt.replace("{vehicle}", Pick.one(rnd, VEHICLES));
        String key = kind.key() + ":" + (kind.op() == '-' ? a + "-" + b : Math.min(a, b) + "+" + Math.max(a, b));
        return sumOrDifference(key, prompt, kind.formula(), a, kind.op(), b, kind.unit());
    }

    /**
     * {@code formula = a op b}, the math suite's column trace, then the result with its unit. The bare
     * {@code a op b} reads as a math prompt does, so the trace learned there applies as it is.
     */
    private static BuiltinRecord sumOrDifference(String key, String prompt, String formula, int a, char op, int b, String unit) {
        long result = MathProblems.evaluate(a, op, b);
        String think = formula + " = " + a + " " + op + " " + b + "\n"
                + String.join("\n", ArithmeticTrace.trace(a, op, b)) + "\n"
                + formula.substring(0, formula.indexOf(' ')) + " = " + result + " " + unit;
        return record(key, 1, prompt, think, result + " " + unit);
    }

    // ---- difficulty 2 and 3 ----

    private static BuiltinRecord speed(Random rnd) {
        int v = Pick.between(rnd, 10, 99), t = Pick.between(rnd, 2, 9), d = v * t;
        String prompt = "A " + Pick.one(rnd, VEHICLES) + " travels " + d + " km in " + t + " h. What is its average speed?";
        return record("speed:" + d + ":" + t, 2, prompt, "v = d / t = " + d + " km / " + t + " h = " + v + " km/h", v + " km/h");
    }

    private static BuiltinRecord force(Random rnd) {
        int m = Pick.between(rnd, 2, 20), a = Pick.between(rnd, 2, 9);
        String prompt = "What net force gives a " + m + " kg mass an acceleration of " + a + " m/s^2?";
        return record("force:" + m + ":" + a, 2, prompt, "F = m * a = " + m + " kg * " + a + " m/s^2 = " + m * a + " N", m * a + " N");
    }

    private static BuiltinRecord ohm(Random rnd) {
        int i = Pick.between(rnd, 2, 9), r = Pick.between(rnd, 2, 30);
        String prompt = "A current of " + i + " A flows through a " + r + " ohm resistor. What is the voltage across it?";
        return record("ohm:" + i + ":" + r, 2, prompt, "V = I * R = " + i + " A * " + r + " ohm = " + i * r + " V", i * r + " V");
    }

    /** By 100 or 1000 (difficulty 1: the number gains zeros) or by 60 (difficulty 2: a product). */
    private static BuiltinRecord wholeConversion(Random rnd, boolean powerOfTen) {
        String[][] units = powerOfTen
                ? new String[][]{{"km", "m", "1000"}, {"kg", "g", "1000"}, {"m", "cm", "100"}}
                : new String[][]{{"h", "min", "60"}, {"min", "s", "60"}};
        String[] u = Pick.one(rnd, units);
        int x = Pick.between(rnd, 2, 30), f = Integer.parseInt(u[2]);
        String think = "1 " + u[0] + " = " + f + " " + u[1] + ", so " + x + " " + u[0] + " = " + x + " * " + f + " " + u[1]
                + " = " + x * f + " " + u[1];
        return record("convert:" + x + u[0] + ":" + u[1], powerOfTen ? 1 : 2, "Convert " + x + " " + u[0] + " to " + u[1] + ".",
                think, x * f + " " + u[1]);
    }

    private static BuiltinRecord speedWithMinutes(Random rnd) {
        int v = Pick.between(rnd, 2, 9), t = Pick.between(rnd, 2, 9), s = t * 60, d = v * s;
        String prompt = "A runner covers " + d + " m in " + t + " min. What is the average speed in m/s?";
        String think = "t = " + t + " min = " + s + " s\nv = d / t = " + d + " m / " + s + " s = " + v + " m/s";
        return record("speed-min:" + d + ":" + t, 2, prompt, think, v + " m/s");
    }

    private static BuiltinRecord decimalConversion(Random rnd) {
        boolean cm = rnd.nextBoolean();
        int x = cm ? Pick.between(rnd, 101, 999) : Pick.between(rnd, 1001, 9999);
        String from = cm ? "cm" : "g", to = cm ? "m" : "kg";
        int f = cm ? 100 : 1000;
        String r = num(BigDecimal.valueOf(x).divide(BigDecimal.valueOf(f)));
        String think = "1 " + to + " = " + f + " " + from + ", so " + x + " " + from + " = " + x + " / " + f + " " + to + " = " + r + " " + to;
        return record("convert:" + x + from + ":" + to, 2, "Convert " + x + " " + from + " to " + to + ".", think, r + " " + to);
    }

    private static BuiltinRecord density(Random rnd) {
        int v = Pick.between(rnd, 2, 20), rho = Pick.between(rnd, 2, 12), m = rho * v;
        String prompt = "A block has a mass of " + m + " g and a volume of " + v + " cm^3. What is its density?";
        return record("density:" + m + ":" + v, 2, prompt, "rho = m / V = " + m + " g / " + v + " cm^3 = " + rho + " g/cm^3", rho + " g/cm^3");
    }

    private static BuiltinRecord work(Random rnd) {
        int f = Pick.between(rnd, 2, 50), d = Pick.between(rnd, 2, 20);
        String prompt = "How much work does a " + f + " N force do moving an object " + d + " m along the force?";
        return record("work:" + f + ":" + d, 2, prompt, "W = F * d = " + f + " N * " + d + " m = " + f * d + " J", f * d + " J");
    }

    private static BuiltinRecord power(Random rnd) {
        int p = 5 * Pick.between(rnd, 2, 40), t = Pick.between(rnd, 2, 20), w = p * t;
        String prompt = "A machine does " + w + " J of work in " + t + " s. What is its power?";
        return record("power:" + w + ":" + t, 2, prompt, "P = W / t = " + w + " J / " + t + " s = " + p + " W", p + " W");
    }

    private static BuiltinRecord forceFromVelocities(Random rnd) {
        int m = Pick.between(rnd, 2, 10), a = Pick.between(rnd, 1, 6), t = Pick.between(rnd, 2, 6);
        int v0 = Pick.between(rnd, 0, 10), v1 = v0 + a * t;
        String prompt = "A " + m + " kg cart speeds up from " + v0 + " m/s to " + v1 + " m/s in " + t + " s. What net force acts on it?";
        String think = "a = (v1 - v0) / t = (" + v1 + " - " + v0 + ") m/s / " + t + " s = " + a + " m/s^2\n"
                + "F = m * a = " + m + " kg * " + a + " m/s^2 = " + m * a + " N";
        return record("force-dv:" + m + ":" + v0 + ":" + v1 + ":" + t, 3, prompt, think, m * a + " N");
    }

    private static BuiltinRecord kineticEnergy(Random rnd) {
        int m = 2 * Pick.between(rnd, 1, 10), v = Pick.between(rnd, 2, 15), ke = m * v * v / 2;
        String prompt = "What is the kinetic energy of a " + m + " kg ball moving at " + v + " m/s?";
        String think = "KE = 1/2 * m * v^2 = 0.5 * " + m + " kg * (" + v + " m/s)^2 = 0.5 * " + m + " * " + v * v + " = " + ke + " J";
        return record("ke:" + m + ":" + v, 3, prompt, think, ke + " J");
    }

    private static BuiltinRecord distanceFromRest(Random rnd) {
        int a = 2 * Pick.between(rnd, 1, 5), t = Pick.between(rnd, 2, 12), d = a * t * t / 2;
        String prompt = "An object starts from rest and accelerates at " + a + " m/s^2 for " + t + " s. How far does it travel?";
        String think = "d = 1/2 * a * t^2 = 0.5 * " + a + " m/s^2 * (" + t + " s)^2 = 0.5 * " + a + " * " + t * t + " = " + d + " m";
        return record("dist:" + a + ":" + t, 3, prompt, think, d + " m");
    }

    private static BuiltinRecord metresPerSecondToKmh(Random rnd) {
        int v = Pick.between(rnd, 2, 40);
        String r = num(BigDecimal.valueOf(v).multiply(new BigDecimal("3.6")));
        String think = "1 m/s = 3.6 km/h, so " + v + " m/s = " + v + " * 3.6 km/h = " + r + " km/h";
        return record("convert:" + v + "m/s:km/h", 3, "Convert " + v + " m/s to km/h.", think, r + " km/h");
    }

    private static BuiltinRecord record(String key, int difficulty, String prompt, String think, String answer) {
        return BuiltinRecord.qa("stem:" + key, "stem", difficulty, prompt, "<think>" + think + "</think>" + answer, answer, List.of());
    }

    /** Plain decimal without trailing zeros: 2.50 -> "2.5", 3.0 -> "3". */
    static String num(BigDecimal x) { return x.stripTrailingZeros().toPlainString(); }
}
