using System.Globalization;
using System.Text;

namespace GpuNngp.Data;

/// <summary>
/// The header of an NPY file: a Python dict literal such as
/// <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 4), }</c>. It is parsed as the small
/// literal grammar it is (strings, booleans, tuples of integers) rather than by pattern matching,
/// because writers other than NumPy vary the spacing, the quotes, the key order and the commas.
/// </summary>
internal sealed record NpyHeader(string Descr, bool FortranOrder, int[] Shape)
{
    public static NpyHeader Parse(string text, string name)
    {
        var parser = new Parser(text, name);
        return parser.ParseHeader();
    }

    /// <summary>The header text NumPy itself writes for a float64 array of this shape (C order unless <paramref name="fortranOrder"/>).</summary>
    public static string Format(IReadOnlyList<int> shape, bool fortranOrder = false)
    {
        var dimensions = shape.Count == 1
            ? $"({shape[0].ToString(CultureInfo.InvariantCulture)},)"
            : "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")";
        return $"{{'descr': '<f8', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {dimensions}, }}";
    }

    private sealed class Parser(string text, string name)
    {
        private int _position;

        public NpyHeader ParseHeader()
        {
            string? descr = null;
            bool? fortran = null;
            int[]? shape = null;

            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}')
                {
                    _position++;
                    break;
                }

                var key = ParseString();
                Expect(':');
                switch (key)
                {
                    case "descr":
                        SkipSpace();
                        if (Peek() is not ('\'' or '"'))
                        {
                            throw Fail("'descr' is not a simple dtype string (structured arrays are not supported)");
                        }

                        descr = ParseString();
                        break;
                    case "fortran_order":
                        fortran = ParseBool();
                        break;
                    case "shape":
                        shape = ParseShape();
                        break;
                    default:
                        throw Fail($"unexpected key '{key}' in the header");
                }

                SkipSpace();
                if (Peek() == ',')
                {
                    _position++;
                }
                else if (Peek() != '}')
                {
                    throw Fail($"expected ',' or '}}' at character {_position + 1} of the header");
                }
            }

            SkipSpace();
            if (_position != text.Length)
            {
                throw Fail("text after the header dict");
            }

            if (descr is null || fortran is null || shape is null)
            {
                var missing = descr is null ? "descr" : fortran is null ? "fortran_order" : "shape";
                throw Fail($"header has no '{missing}' key");
            }

            return new NpyHeader(descr, fortran.Value, shape);
        }

        private string ParseString()
        {
            SkipSpace();
            char quote = Peek();
            if (quote is not ('\'' or '"'))
            {
                throw Fail($"expected a quoted string at character {_position + 1} of the header");
            }

            int end = text.IndexOf(quote, _position + 1);
            if (end < 0)
            {
                throw Fail("unterminated string in the header");
            }

            var value = text[(_position + 1)..end];
            _position = end + 1;
            return value;
        }

        private bool ParseBool()
        {
            SkipSpace();
            if (Take("True"))
            {
                return true;
            }

            if (Take("False"))
            {
                return false;
            }

            throw Fail("'fortran_order' is neither True nor False");
        }

        private int[] ParseShape()
        {
            Expect('(');
            var dimensions = new List<int>();
            while (true)
            {
                SkipSpace();
                if (Peek() == ')')
                {
                    _position++;
                    return [.. dimensions];
                }

                int start = _position;
                while (_position < text.Length && char.IsAsciiDigit(text[_position]))
                {
                    _position++;
                }

                // Python 2 era writers emitted long literals such as 3L.
                var digits = text[start.._position];
                if (_position < text.Length && text[_position] == 'L')
                {
                    _position++;
                }

                if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int dimension))
                {
                    throw Fail(digits.Length == 0
                        ? $"'shape' is not a tuple of non-negative integers (character {start + 1})"
                        : $"dimension {digits} is too large");
                }

                dimensions.Add(dimension);
                SkipSpace();
                if (Peek() == ',')
                {
                    _position++;
                }
                else if (Peek() != ')')
                {
                    throw Fail("'shape' is not a tuple of integers");
                }
            }
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c)
            {
                throw Fail($"expected '{c}' at character {_position + 1} of the header");
            }

            _position++;
        }

        private bool Take(string word)
        {
            if (string.CompareOrdinal(text, _position, word, 0, word.Length) != 0)
            {
                return false;
            }

            _position += word.Length;
            return true;
        }

        private char Peek() => _position < text.Length ? text[_position] : '\0';

        private void SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private NngpInputException Fail(string problem) =>
            InputErrors.Error(name, $"malformed NPY header: {problem}");
    }

    public static string Decode(byte[] bytes, int major) =>
        // Version 3 exists only to allow UTF-8 in the header; 1 and 2 are Latin-1.
        major >= 3 ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
}
