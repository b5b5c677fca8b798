package ai.posttrain.reward;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;

/** An exact fraction, so "0.75", "3/4" and "\frac{6}{8}" compare equal without rounding. */
record Rational(BigInteger num, BigInteger den) implements Serializable {
    Rational {
        if (den.signum() == 0) throw new ArithmeticException("zero denominator");
        if (den.signum() < 0) { num = num.negate(); den = den.negate(); }
        BigInteger g = num.gcd(den);
        if (!g.equals(BigInteger.ONE) && g.signum() != 0) { num = num.divide(g); den = den.divide(g); }
    }

    static Rational of(BigDecimal d) {
        return d.scale() > 0 ? new Rational(d.unscaledValue(), BigInteger.TEN.pow(d.scale()))
                : new Rational(d.toBigIntegerExact(), BigInteger.ONE);
    }

    Rational divide(Rational o) { return new Rational(num.multiply(o.den), den.multiply(o.num)); }

    double toDouble() { return new BigDecimal(num).divide(new BigDecimal(den), java.math.MathContext.DECIMAL64).doubleValue(); }

    @Override public String toString() { return den.equals(BigInteger.ONE) ? num.toString() : num + "/" + den; }
}
