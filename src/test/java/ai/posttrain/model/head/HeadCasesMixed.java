package ai.posttrain.model.head;

/** A 6-row minibatch mixing every objective: DPO pair, SFT, KD, PG, padding. */
final class HeadCasesMixed {
    private HeadCasesMixed() {
    }

    static void add(HeadCases c, PackedLabels.Builder p) {
        c.addDpoPair(p);
        c.addSft(p);
        c.addKd(p);
        c.addPg(p, 4);
        p.padding();
    }
}
