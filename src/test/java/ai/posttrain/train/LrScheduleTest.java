package ai.posttrain.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LrScheduleTest {
    @Test
    void warmsUpLinearlyThenDecaysByCosineToTheFloor() {
        LrSchedule s = new LrSchedule(1e-3, 1e-4, 4, 104);
        assertEquals(1e-3 * 1 / 5, s.at(0), 1e-12);
        assertEquals(1e-3 * 4 / 5, s.at(3), 1e-12);
        assertEquals(1e-3, s.at(4), 1e-12);
        assertEquals(1e-4 + 0.5 * 9e-4, s.at(54), 1e-12);   // half-way through the decay
        assertEquals(1e-4, s.at(104), 1e-12);
        assertEquals(1e-4, s.at(500), 1e-12);
        for (int i = 5; i < 104; i++) assertTrue(s.at(i) <= s.at(i - 1), "monotone decay at " + i);
    }

    @Test
    void aRestartedStretchRunsItsOwnWarmUpAndCosineAndLeavesTheRestAlone() {
        LrSchedule whole = new LrSchedule(1e-3, 1e-4, 2, 30);
        LrSchedule s = whole.restarted(10, 20, 5e-4, 5e-5, 2);
        for (int i = 0; i < 10; i++) assertEquals(whole.at(i), s.at(i), 1e-15, "before the restart, step " + i);
        for (int i = 20; i < 30; i++) assertEquals(whole.at(i), s.at(i), 1e-15, "after the restart, step " + i);
        assertEquals(5e-4 / 3, s.at(10), 1e-15);
        assertEquals(5e-4, s.at(12), 1e-15);
        assertEquals(5e-5 + 0.5 * 4.5e-4 * (1 + Math.cos(Math.PI * 7 / 8)), s.at(19), 1e-15);
        for (int i = 13; i < 20; i++) assertTrue(s.at(i) < s.at(i - 1), "decays at " + i);
    }
}
