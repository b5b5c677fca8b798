package ai.posttrain.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text around the literal reasoning markers "&lt;think&gt;" and "&lt;/think&gt;", which every tokenizer
 * encodes as single special tokens. Shared so both tokenizers agree on what counts as a marker.
 */
final class ThinkMarkers {
    private ThinkMarkers() {}

    /** A piece of text: either ordinary text ({@code marker == null}) or one marker. */
    record Piece(String text, SpecialToken marker) {}

    static List<Piece> split(String text) {
        List<Piece> pieces = new ArrayList<>();
        String open = SpecialToken.THINK.text(), close = SpecialToken.END_THINK.text();
        int start = 0;
        while (start < text.length()) {
            int o = text.indexOf(open, start), c = text.indexOf(close, start);
            int at = o < 0 ? c : (c < 0 ? o : Math.min(o, c));
            if (at < 0) break;
            if (at > start) pieces.add(new Piece(text.substring(start, at), null));
            SpecialToken marker = at == o ? SpecialToken.THINK : SpecialToken.END_THINK;
            pieces.add(new Piece(marker.text(), marker));
            start = at + marker.text().length();
        }
        if (start < text.length()) pieces.add(new Piece(text.substring(start), null));
        return pieces;
    }
}
