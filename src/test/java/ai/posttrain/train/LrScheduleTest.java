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
}
