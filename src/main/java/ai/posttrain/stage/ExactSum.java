package ai.posttrain.stage;

import java.math.BigDecimal;

/**
 * A sum of doubles, and how many there were, that does not depend on the order of its terms. Spark merges
 * partition results in the order their tasks finish, and a floating-point sum in that order could differ in the
 * last bit between a run and its resumed copy; every finite double is an exact BigDecimal, so their sum is exact
 * whatever the order.
 */
final class ExactSum implements java.io.Serializable {
    private BigDecimal finite = BigDecimal.ZERO;
    private double nonFinite = 0;   // NaN and infinities: their sum is order-free too
    private long terms;

    void add(double v) {
        if (Double.isFinite(v)) finite = finite.add(new BigDecimal(v));
        else nonFinite += v;
        terms++;
    }

    void merge(ExactSum o) {
        finite = finite.add(o.finite);
        nonFinite += o.nonFinite;
        terms += o.terms;
    }

    double value() {
        return nonFinite != 0 ? nonFinite : finite.doubleValue();   // NaN != 0 too
    }

    /** The mean of the terms, NaN without any. */
    double mean() {
        return terms > 0 ? value() / terms : Double.NaN;
    }
}
