package ai.posttrain.data;

import ai.posttrain.data.builtin.ArithmeticTrace;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Column traces read back by a parser of their own: each line's inputs come first, then what they give. */
class ArithmeticTraceTest {
    private static final Pattern COLUMN = Pattern.compile("(\\d)([+-])(\\d)([+-])(\\d)=(\\d+) d(\\d) ([cb])(\\d)");

    @Test
    void everyColumnWritesItsDigitsAndIncomingCarryBeforeItsResultAndTheDigitsReadBackAsTheAnswer() {
        Random rnd = new Random(11);
        for (int i = 0; i < 2000; i++) {
            long a = rnd.nextInt(10000), b = rnd.nextInt(10000);
            char op = rnd.nextBoolean() ? '+' : '-';
            if (op == '-' && a < b) { long t = a; a = b; b = t; }
            List<String> lines = op == '+' ? ArithmeticTrace.add(a, b) : ArithmeticTrace.subtract(a, b);
            String x = Long.toString(a), y = Long.toString(b);
            int incoming = 0;
            StringBuilder digits = new StringBuilder();
            for (int col = 0; col < lines.size(); col++) {
                String line = lines.get(col);
                if (col == Math.max(x.length(), y.length())) {  // the final carry of a sum, alone
                    assertEquals("d" + incoming, line, a + " " + op + " " + b);
                    digits.insert(0, incoming);
                    break;
                }
                Matcher m = COLUMN.matcher(line);
                assertTrue(m.matches(), "'" + line + "' of " + a + op + b + " starts with the column's digits");
                assertEquals(digit(x, col), Integer.parseInt(m.group(1)), line);
                assertEquals(digit(y, col), Integer.parseInt(m.group(3)), line);
                assertEquals(incoming, Integer.parseInt(m.group(5)), line);
                int value = Integer.parseInt(m.group(6)), written = Integer.parseInt(m.group(7)), out = Integer.parseInt(m.group(9));
                if (op == '+') {
                    assertEquals(digit(x, col) + digit(y, col) + incoming, value, line);
                    assertEquals(value, 10 * out + written, line);
                } else {
                    assertEquals(digit(x, col) - digit(y, col) - incoming + 10 * out, written, line);
                    assertEquals(written, value, line);
                    assertTrue(out == 0 || out == 1, line);
                }
                incoming = out;
                digits.insert(0, written);
            }
            assertEquals(op == '+' ? a + b : a - b, Long.parseLong(digits.toString()), a + " " + op + " " + b);
        }
    }

    private static int digit(String number, int fromRight) {
        int i = number.length() - 1 - fromRight;
        return i >= 0 ? number.charAt(i) - '0' : 0;
    }
}
