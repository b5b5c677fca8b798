package ai.posttrain.reward;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class StemVerifierTest {
    final StemVerifier v = new StemVerifier(0.01);

    @Test
    void sameUnitWithinTolerance() {
        assertTrue(v.verify("<think>v = d/t = 24/2</think>The answer is 12.0 m/s.", "12 m/s").passed());
        assertTrue(v.verify("v ≈ 12.05 m/s", "12 m/s").passed());
        VerifierResult far = v.verify("v = 12.5 m/s", "12 m/s");
        assertFalse(far.passed());
        assertTrue(far.reason().contains("relative error"), far.reason());
    }

    @Test
    void convertsUnitsOfTheSameDimension() {
        assertTrue(v.verify("The distance is 1200 m", "1.2 km").passed());
        assertTrue(v.verify("\\boxed{43.2 \\text{km/h}}", "12 m/s").passed());
        assertTrue(v.verify("a = 9.81 m/s²", "9.8 m/s^2").passed());
        assertTrue(v.verify("E = 2.5 kJ", "2500 J").passed());
    }

    @Test
    void anExponentInTheUnitIsNotTheAnswer() {
        // the last number of "5 g/cm^3" is the unit's 3: the built-in density answers once failed as "missing unit"
        assertTrue(v.verify("<think>rho = 100 g / 20 cm^3</think>5 g/cm^3", "5 g/cm^3").passed());
        assertTrue(v.verify("a = 2 m/s^2", "2 m/s^2").passed());
        assertTrue(v.verify("about 3 m s^-2", "3 m s^-2").passed());
        assertFalse(v.verify("<think>5 g/cm^3</think>3 g/cm^3", "5 g/cm^3").passed());
        assertFalse(v.verify("g/cm^3", "3 g/cm^3").passed(), "a unit alone is no answer");
    }

    @Test
    void missingOrWrongUnitsFailWithAReason() {
        VerifierResult missing = v.verify("The answer is 12.", "12 m/s");
        assertFalse(missing.passed());
        assertTrue(missing.reason().startsWith("missing unit"), missing.reason());
        VerifierResult wrongDimension = v.verify("The answer is 12 kg", "12 m/s");
        assertFalse(wrongDimension.passed());
        assertTrue(wrongDimension.reason().contains("mass"), wrongDimension.reason());
        VerifierResult unknown = v.verify("The answer is 12 furlongs", "12 m/s");
        assertFalse(unknown.passed());
        assertTrue(unknown.reason().startsWith("wrong unit"), unknown.reason());
    }

    @Test
    void unitlessReferencesCompareNumbersOnly() {
        assertTrue(v.verify("pH is 7.0", "7").passed());
        assertFalse(v.verify("no number here", "7").passed());
        assertFalse(v.verify("7 m", "no reference number").passed());
    }
}
