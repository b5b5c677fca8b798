package ai.posttrain.model.head;

import java.io.Serializable;

/**
 * What the head computed on its last minibatch. Loss parts are unweighted and normalised as in
 * {@link LmHeadOutputLayer} (0 when the minibatch has no row of that objective); {@code loss} is the
 * weighted total, i.e. the layer's score without regularisation.
 *
 * @param pgClipFraction  share of PG tokens (mask-weighted) where the clip binds (surrogate gradient is 0)
 * @param pgApproxKlOld   mean over PG tokens of (r - 1) - log r, r = pi/pi_old (the usual PPO "approx KL")
 * @param pgKlRef         mean over PG tokens of the k3 estimate of KL(pi || ref)
 * @param pgRatioMean     mean ratio pi/pi_old over PG tokens
 * @param dpoAccuracy     share of DPO pairs whose implicit reward margin is positive
 * @param dpoMargin       mean implicit reward margin beta*((pi_c-ref_c)-(pi_r-ref_r))
 */
public record HeadDiagnostics(double loss, double sftLoss, double kdLoss, double dpoLoss, double pgLoss,
                              double sftTokens, double kdTokens, int dpoPairs, double pgTokens,
                              double dpoAccuracy, double dpoMargin, double pgClipFraction,
                              double pgApproxKlOld, double pgKlRef, double pgRatioMean) implements Serializable {
}
