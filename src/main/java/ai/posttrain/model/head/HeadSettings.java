package ai.posttrain.model.head;

import java.io.Serializable;

/**
 * Hyper-parameters of the objectives (held by {@link LmHeadOutputLayer}).
 *
 * @param sftWeight   weight of the SFT term in the total loss
 * @param kdWeight    weight of the KD term
 * @param dpoWeight   weight of the DPO term
 * @param pgWeight    weight of the policy-gradient term
 * @param temperature KD temperature tau (student softmax of z/tau; loss scaled by tau^2)
 * @param beta        DPO beta
 * @param clipLow     PG ratio clip below: 1 - clipLow
 * @param clipHigh    PG ratio clip above: 1 + clipHigh
 * @param klCoef      PG coefficient of the k3 KL-to-reference penalty
 * @param dpoNll      weight of the chosen completion's per-token negative log-likelihood in each DPO pair's loss
 *                    (RPO): keeps DPO from lowering the chosen answer's likelihood along with the rejected one's
 */
public record HeadSettings(double sftWeight, double kdWeight, double dpoWeight, double pgWeight,
                           double temperature, double beta, double clipLow, double clipHigh,
                           double klCoef, double dpoNll) implements Serializable {
    public HeadSettings {
        if (!(temperature > 0)) throw new IllegalArgumentException("KD temperature must be > 0, got " + temperature);
        if (clipLow < 0 || clipLow >= 1) throw new IllegalArgumentException("clipLow must be in [0,1), got " + clipLow);
        if (dpoNll < 0) throw new IllegalArgumentException("dpoNll must be >= 0, got " + dpoNll);
        if (clipHigh < 0) throw new IllegalArgumentException("clipHigh must be >= 0, got " + clipHigh);
    }

    public static HeadSettings defaults() {
        return new HeadSettings(1, 1, 1, 1, 1.0, 0.1, 0.2, 0.2, 0.0, 0.0);
    }

    public double weightOf(Objective o) {
        return switch (o) {
            case SFT -> sftWeight;
            case KD -> kdWeight;
            case DPO -> dpoWeight;
            case PG -> pgWeight;
            case NONE -> 0;
        };
    }
}
