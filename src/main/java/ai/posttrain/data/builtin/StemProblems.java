package ai.posttrain.data.builtin;

import ai.posttrain.data.BuiltinRecord;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
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
    public BuiltinRecord draw(Random rnd, int difficulty) { return draw(rnd, difficulty, Wording.FEW); }

    /** Every problem kind is asked in its first wording (FEW), one of its trained ones (MANY) or a reworded one. */
    @Override
    public BuiltinRecord draw(Random rnd, int difficulty, Wording wording) {
        return switch (difficulty) {
            case 1 -> {
                int kind = rnd.nextInt(TWO_DIGIT_KINDS.size() + 1);
                yield kind < TWO_DIGIT_KINDS.size() ? twoDigit(rnd, TWO_DIGIT_KINDS.get(kind), wording) : wholeConversion(rnd, true, wording);
            }
            case 2 -> switch (rnd.nextInt(9)) {
                case 0 -> speed(rnd, wording);
                case 1 -> force(rnd, wording);
                case 2 -> ohm(rnd, wording);
                case 3 -> wholeConversion(rnd, false, wording);
                case 4 -> speedWithMinutes(rnd, wording);
                case 5 -> decimalConversion(rnd, wording);
                case 6 -> density(rnd, wording);
                case 7 -> work(rnd, wording);
                default -> power(rnd, wording);
            };
            default -> switch (rnd.nextInt(4)) {
                case 0 -> forceFromVelocities(rnd, wording);
                case 1 -> kineticEnergy(rnd, wording);
                case 2 -> distanceFromRest(rnd, wording);
                default -> metresPerSecondToKmh(rnd, wording);
            };
        };
    }

    // ---- difficulty 1: two-digit sums and differences ----

    /** A difficulty-1 problem kind: {a}, {b} and {vehicle} in its wordings are filled in; a - b has a > b. */
    private record TwoDigitKind(String key, Wordings wordings, String formula, char op, String unit) {}

    private static final List<TwoDigitKind> TWO_DIGIT_KINDS = List.of(
            new TwoDigitKind("series", new Wordings(List.of(
                    "Resistors of {a} ohm and {b} ohm are connected in series. What is the total resistance?",
                    "A {a} ohm resistor is wired in series with a {b} ohm resistor. Find the total resistance.",
                    "What is the equivalent resistance of {a} ohm and {b} ohm in series?",
                    "Two resistors, {a} ohm and {b} ohm, are in series. How much resistance do they have together?",
                    "Compute the series resistance of a {a} ohm and a {b} ohm resistor.",
                    "In a series circuit a {a} ohm resistor follows a {b} ohm one. What is the total resistance?"), List.of(
                    "A circuit chains a {a} ohm resistor and a {b} ohm resistor one after the other. Total resistance?",
                    "Series connection: R1 = {a} ohm, R2 = {b} ohm. What is R?")),
                    "R = R1 + R2", '+', "ohm"),
            new TwoDigitKind("net-force", new Wordings(List.of(
                    "Forces of {a} N and {b} N pull a box in opposite directions. What is the net force?",
                    "A {a} N push to the right and a {b} N push to the left act on a cart. What is the net force?",
                    "Two teams pull a rope with {a} N and {b} N in opposite directions. Find the net force.",
                    "What is the net force when {a} N and {b} N act in opposite directions?",
                    "An object feels {a} N forward and {b} N backward. How large is the net force?",
                    "A {a} N force and a {b} N force act on a block in opposite directions. Find the net force."), List.of(
                    "A sled is dragged with {a} N while friction resists with {b} N. What net force remains?",
                    "Opposite forces: F1 = {a} N, F2 = {b} N. Net force?")),
                    "F = F1 - F2", '-', "N"),
            new TwoDigitKind("legs", new Wordings(List.of(
                    "A {vehicle} travels {a} km and then another {b} km. How far does it travel in total?",
                    "A {vehicle} goes {a} km in the morning and {b} km in the afternoon. What total distance does it cover?",
                    "How far does a {vehicle} go in all if it drives {a} km and then {b} km?",
                    "A {vehicle} covers {a} km, stops, then covers {b} km more. Find the total distance.",
                    "What is the total distance of a {vehicle} trip of {a} km followed by {b} km?",
                    "A {vehicle} makes two trips, {a} km and {b} km. What distance does it travel altogether?"), List.of(
                    "On day one a {vehicle} logs {a} km, on day two {b} km. Distance altogether?",
                    "Trip legs: d1 = {a} km, d2 = {b} km. Total distance?")),
                    "d = d1 + d2", '+', "km"),
            new TwoDigitKind("mass", new Wordings(List.of(
                    "A crate of {a} kg is loaded with {b} kg of sand. What is the total mass?",
                    "A {a} kg box holds {b} kg of books. What is the combined mass?",
                    "What is the total mass of a {a} kg cart carrying a {b} kg load?",
                    "A bag of {a} kg and a bag of {b} kg are weighed together. What is their total mass?",
                    "Find the mass of a {a} kg tank after {b} kg of water is added.",
                    "A {a} kg robot picks up a {b} kg part. What is the total mass?"), List.of(
                    "A truck bed with {a} kg of gravel receives {b} kg more. How much mass is there now?",
                    "Masses m1 = {a} kg and m2 = {b} kg are combined. Total mass?")),
                    "m = m1 + m2", '+', "kg"),
            new TwoDigitKind("elapsed", new Wordings(List.of(
                    "A reaction starts at t = {b} s and ends at t = {a} s. How long does it last?",
                    "A timer reads {b} s at the start and {a} s at the end. How much time passed?",
                    "An experiment runs from {b} s to {a} s. What is its duration?",
                    "A runner starts at {b} s and finishes at {a} s on the clock. How long did the run take?",
                    "What time elapses between t = {b} s and t = {a} s?",
                    "A song starts at {b} s and stops at {a} s. How long does it play?"), List.of(
                    "The light turns on at {b} s and off at {a} s. For how long is it on?",
                    "Start: {b} s. End: {a} s. Elapsed time?")),
                    "t = t2 - t1", '-', "s"));

    private static BuiltinRecord twoDigit(Random rnd, TwoDigitKind kind, Wording wording) {
        int a = Pick.between(rnd, kind.op() == '-' ? 11 : 10, 99);
        int b = kind.op() == '-' ? Pick.between(rnd, 10, a - 1) : Pick.between(rnd, 10, 99);
        // Wordings.ask, except that a vehicle is drawn only for a sentence that has one (as the few wording always did)
        String template = kind.wordings().template(rnd, wording);
        Map<String, String> slots = new java.util.HashMap<>(Map.of("a", Integer.toString(a), "b", Integer.toString(b)));
        if (template.contains("{vehicle}")) slots.put("vehicle", Pick.one(rnd, VEHICLES));
        String prompt = Wordings.frame(rnd, Wordings.fill(template, slots), wording);
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

    private static final Wordings SPEED = new Wordings(List.of("A {vehicle} travels {d} km in {t} h. What is its average speed?",
            "What is the average speed of a {vehicle} that covers {d} km in {t} h?", "A {vehicle} needs {t} h for {d} km. Find its average speed."),
            List.of("In {t} h a {vehicle} goes {d} km. How fast is it on average?"));

    private static BuiltinRecord speed(Random rnd, Wording wording) {
        int v = Pick.between(rnd, 10, 99), t = Pick.between(rnd, 2, 9), d = v * t;
        String prompt = SPEED.ask(rnd, wording, Map.of("vehicle", Pick.one(rnd, VEHICLES), "d", "" + d, "t", "" + t));
        return record("speed:" + d + ":" + t, 2, prompt, "v = d / t = " + d + " km / " + t + " h = " + v + " km/h", v + " km/h");
    }

    private static final Wordings FORCE = new Wordings(List.of("What net force gives a {m} kg mass an acceleration of {a} m/s^2?",
            "A {m} kg mass accelerates at {a} m/s^2. What net force acts on it?", "Find the force needed to accelerate {m} kg at {a} m/s^2."),
            List.of("How hard must you push {m} kg to make it speed up at {a} m/s^2?"));

    private static BuiltinRecord force(Random rnd, Wording wording) {
        int m = Pick.between(rnd, 2, 20), a = Pick.between(rnd, 2, 9);
        String prompt = FORCE.ask(rnd, wording, Map.of("m", "" + m, "a", "" + a));
        return record("force:" + m + ":" + a, 2, prompt, "F = m * a = " + m + " kg * " + a + " m/s^2 = " + m * a + " N", m * a + " N");
    }

    private static final Wordings OHM = new Wordings(List.of("A current of {i} A flows through a {r} ohm resistor. What is the voltage across it?",
            "What voltage drives {i} A through a {r} ohm resistor?", "A {r} ohm resistor carries {i} A. Find the voltage across it."),
            List.of("Across a {r} ohm load the current is {i} A. How many volts is that?"));

    private static BuiltinRecord ohm(Random rnd, Wording wording) {
        int i = Pick.between(rnd, 2, 9), r = Pick.between(rnd, 2, 30);
        String prompt = OHM.ask(rnd, wording, Map.of("i", "" + i, "r", "" + r));
        return record("ohm:" + i + ":" + r, 2, prompt, "V = I * R = " + i + " A * " + r + " ohm = " + i * r + " V", i * r + " V");
    }

    /** How a conversion of {x} {from} into {to} is asked. */
    private static final Wordings CONVERSIONS = new Wordings(
            List.of("Convert {x} {from} to {to}.", "How many {to} are in {x} {from}?", "Express {x} {from} in {to}.",
                    "What is {x} {from} in {to}?", "Change {x} {from} into {to}.", "Write {x} {from} as {to}."),
            List.of("{x} {from} equals how many {to}?", "Give {x} {from} in units of {to}."));

    private static String conversion(Random rnd, Wording wording, String x, String from, String to) {
        return CONVERSIONS.ask(rnd, wording, Map.of("x", x, "from", from, "to", to));
    }

    /** By 100 or 1000 (difficulty 1: the number gains zeros) or by 60 (difficulty 2: a product). */
    private static BuiltinRecord wholeConversion(Random rnd, boolean powerOfTen, Wording wording) {
        String[][] units = powerOfTen
                ? new String[][]{{"km", "m", "1000"}, {"kg", "g", "1000"}, {"m", "cm", "100"}}
                : new String[][]{{"h", "min", "60"}, {"min", "s", "60"}};
        String[] u = Pick.one(rnd, units);
        int x = Pick.between(rnd, 2, 30), f = Integer.parseInt(u[2]);
        String think = "1 " + u[0] + " = " + f + " " + u[1] + ", so " + x + " " + u[0] + " = " + x + " * " + f + " " + u[1]
                + " = " + x * f + " " + u[1];
        return record("convert:" + x + u[0] + ":" + u[1], powerOfTen ? 1 : 2, conversion(rnd, wording, Integer.toString(x), u[0], u[1]),
                think, x * f + " " + u[1]);
    }

    private static final Wordings SPEED_MINUTES = new Wordings(List.of("A runner covers {d} m in {t} min. What is the average speed in m/s?",
            "What is the average speed in m/s of a swimmer who covers {d} m in {t} min?", "A walker goes {d} m in {t} min. Find the average speed in m/s."),
            List.of("A skater glides {d} m over {t} min. Average speed, in m/s?"));

    private static BuiltinRecord speedWithMinutes(Random rnd, Wording wording) {
        int v = Pick.between(rnd, 2, 9), t = Pick.between(rnd, 2, 9), s = t * 60, d = v * s;
        String prompt = SPEED_MINUTES.ask(rnd, wording, Map.of("d", "" + d, "t", "" + t));
        String think = "t = " + t + " min = " + s + " s\nv = d / t = " + d + " m / " + s + " s = " + v + " m/s";
        return record("speed-min:" + d + ":" + t, 2, prompt, think, v + " m/s");
    }

    private static BuiltinRecord decimalConversion(Random rnd, Wording wording) {
        boolean cm = rnd.nextBoolean();
        int x = cm ? Pick.between(rnd, 101, 999) : Pick.between(rnd, 1001, 9999);
        String from = cm ? "cm" : "g", to = cm ? "m" : "kg";
        int f = cm ? 100 : 1000;
        String r = num(BigDecimal.valueOf(x).divide(BigDecimal.valueOf(f)));
        String think = "1 " + to + " = " + f + " " + from + ", so " + x + " " + from + " = " + x + " / " + f + " " + to + " = " + r + " " + to;
        return record("convert:" + x + from + ":" + to, 2, conversion(rnd, wording, Integer.toString(x), from, to), think, r + " " + to);
    }

    private static final Wordings DENSITY = new Wordings(List.of("A block has a mass of {m} g and a volume of {v} cm^3. What is its density?",
            "What is the density of a {m} g stone with a volume of {v} cm^3?", "A {v} cm^3 sample has a mass of {m} g. Find its density."),
            List.of("{m} g of metal fills {v} cm^3. How dense is it?"));

    private static BuiltinRecord density(Random rnd, Wording wording) {
        int v = Pick.between(rnd, 2, 20), rho = Pick.between(rnd, 2, 12), m = rho * v;
        String prompt = DENSITY.ask(rnd, wording, Map.of("m", "" + m, "v", "" + v));
        return record("density:" + m + ":" + v, 2, prompt, "rho = m / V = " + m + " g / " + v + " cm^3 = " + rho + " g/cm^3", rho + " g/cm^3");
    }

    private static final Wordings WORK = new Wordings(List.of("How much work does a {f} N force do moving an object {d} m along the force?",
            "A {f} N force pushes a box {d} m in its direction. How much work does it do?", "Find the work done by {f} N over {d} m along the force."),
            List.of("Pulling with {f} N, you drag a sled {d} m straight ahead. What work is done?"));

    private static BuiltinRecord work(Random rnd, Wording wording) {
        int f = Pick.between(rnd, 2, 50), d = Pick.between(rnd, 2, 20);
        String prompt = WORK.ask(rnd, wording, Map.of("f", "" + f, "d", "" + d));
        return record("work:" + f + ":" + d, 2, prompt, "W = F * d = " + f + " N * " + d + " m = " + f * d + " J", f * d + " J");
    }

    private static final Wordings POWER = new Wordings(List.of("A machine does {w} J of work in {t} s. What is its power?",
            "What is the power of a motor that does {w} J of work in {t} s?", "A pump does {w} J of work in {t} s. Find its power."),
            List.of("{w} J of work get done in {t} s by a crane. What power does it deliver?"));

    private static BuiltinRecord power(Random rnd, Wording wording) {
        int p = 5 * Pick.between(rnd, 2, 40), t = Pick.between(rnd, 2, 20), w = p * t;
        String prompt = POWER.ask(rnd, wording, Map.of("w", "" + w, "t", "" + t));
        return record("power:" + w + ":" + t, 2, prompt, "P = W / t = " + w + " J / " + t + " s = " + p + " W", p + " W");
    }

    private static final Wordings FORCE_DV = new Wordings(List.of("A {m} kg cart speeds up from {v0} m/s to {v1} m/s in {t} s. What net force acts on it?",
            "What net force takes a {m} kg cart from {v0} m/s to {v1} m/s in {t} s?", "In {t} s a {m} kg cart goes from {v0} m/s to {v1} m/s. Find the net force."),
            List.of("A {m} kg trolley was at {v0} m/s and is at {v1} m/s {t} s later. How big is the net force?"));

    private static BuiltinRecord forceFromVelocities(Random rnd, Wording wording) {
        int m = Pick.between(rnd, 2, 10), a = Pick.between(rnd, 1, 6), t = Pick.between(rnd, 2, 6);
        int v0 = Pick.between(rnd, 0, 10), v1 = v0 + a * t;
        String prompt = FORCE_DV.ask(rnd, wording, Map.of("m", "" + m, "v0", "" + v0, "v1", "" + v1, "t", "" + t));
        String think = "a = (v1 - v0) / t = (" + v1 + " - " + v0 + ") m/s / " + t + " s = " + a + " m/s^2\n"
                + "F = m * a = " + m + " kg * " + a + " m/s^2 = " + m * a + " N";
        return record("force-dv:" + m + ":" + v0 + ":" + v1 + ":" + t, 3, prompt, think, m * a + " N");
    }

    private static final Wordings KINETIC = new Wordings(List.of("What is the kinetic energy of a {m} kg ball moving at {v} m/s?",
            "A {m} kg ball moves at {v} m/s. Find its kinetic energy.", "How much kinetic energy has a {m} kg ball at {v} m/s?"),
            List.of("A {m} kg puck slides at {v} m/s. What energy of motion does it carry?"));

    private static BuiltinRecord kineticEnergy(Random rnd, Wording wording) {
        int m = 2 * Pick.between(rnd, 1, 10), v = Pick.between(rnd, 2, 15), ke = m * v * v / 2;
        String prompt = KINETIC.ask(rnd, wording, Map.of("m", "" + m, "v", "" + v));
        String think = "KE = 1/2 * m * v^2 = 0.5 * " + m + " kg * (" + v + " m/s)^2 = 0.5 * " + m + " * " + v * v + " = " + ke + " J";
        return record("ke:" + m + ":" + v, 3, prompt, think, ke + " J");
    }

    private static final Wordings FROM_REST = new Wordings(List.of("An object starts from rest and accelerates at {a} m/s^2 for {t} s. How far does it travel?",
            "How far does a car go in {t} s from rest at {a} m/s^2?", "Starting at rest, a ball accelerates at {a} m/s^2 for {t} s. Find the distance."),
            List.of("From a standstill a sled gains speed at {a} m/s^2 for {t} s. What distance does it cover?"));

    private static BuiltinRecord distanceFromRest(Random rnd, Wording wording) {
        int a = 2 * Pick.between(rnd, 1, 5), t = Pick.between(rnd, 2, 12), d = a * t * t / 2;
        String prompt = FROM_REST.ask(rnd, wording, Map.of("a", "" + a, "t", "" + t));
        String think = "d = 1/2 * a * t^2 = 0.5 * " + a + " m/s^2 * (" + t + " s)^2 = 0.5 * " + a + " * " + t * t + " = " + d + " m";
        return record("dist:" + a + ":" + t, 3, prompt, think, d + " m");
    }

    private static BuiltinRecord metresPerSecondToKmh(Random rnd, Wording wording) {
        int v = Pick.between(rnd, 2, 40);
        String r = num(BigDecimal.valueOf(v).multiply(new BigDecimal("3.6")));
        String think = "1 m/s = 3.6 km/h, so " + v + " m/s = " + v + " * 3.6 km/h = " + r + " km/h";
        return record("convert:" + v + "m/s:km/h", 3, conversion(rnd, wording, Integer.toString(v), "m/s", "km/h"), think, r + " km/h");
    }

    private static BuiltinRecord record(String key, int difficulty, String prompt, String think, String answer) {
        return BuiltinRecord.qa("stem:" + key, "stem", difficulty, prompt, "<think>" + think + "</think>" + answer, answer, List.of());
    }

    /** Plain decimal without trailing zeros: 2.50 -> "2.5", 3.0 -> "3". */
    static String num(BigDecimal x) { return x.stripTrailingZeros().toPlainString(); }
}
