using System.Collections.Immutable;
using System.Globalization;

namespace GpuNngp.Engine.Architecture;

/// <summary>
/// The network description of the command line's <c>--net</c> (README "Network descriptions"):
/// <code>
/// spec    := element (',' element)*
/// element := layer | '(' spec ')' '*' COUNT | 'res' '[' branch ('|' branch)+ ']'
/// branch  := spec | 'id'                                   (id: the identity branch)
/// layer   := 'conv:' HxW ':' PADDING ':' σw² ':' σb² [':stride=' S | SxS]
///          | 'dense:' σw² ':' σb²
///          | 'avgpool:' HxW [':' PADDING] [':stride=' S | SxS]   (padding valid, stride = window by default)
///          | 'gap' | 'flatten' | ACTIVATION | 'leaky-relu:' SLOPE
/// </code>
/// Numbers are invariant-culture (a decimal point, an optional exponent, no thousands separators),
/// sizes and counts digits only; whitespace between tokens is ignored. Every error names the
/// offending token and its 1-based character position.
/// </summary>
internal static class NetworkSpec
{
    private const NumberStyles RealStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    private readonly record struct Token(string Text, int Position)
    {
        public bool Is(string text) => string.Equals(Text, text, StringComparison.OrdinalIgnoreCase);
    }

    public static Network Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var reader = new Reader(Tokenize(spec), spec.Length);
        if (reader.AtEnd)
        {
            throw new NngpInputException("network spec is empty: give layers such as dense:1.45:0.28,relu,dense:1.45:0.28");
        }

        var layers = reader.Sequence();
        if (!reader.AtEnd)
        {
            throw Error(reader.Peek, $"unexpected '{reader.Peek.Text}'" + (reader.Peek.Text is ")" or "]" or "|" ? " without its opening bracket" : ""));
        }

        return new Network(layers);
    }

    private static List<Token> Tokenize(string spec)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < spec.Length)
        {
            char c = spec[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (IsPunctuation(c))
            {
                tokens.Add(new Token(c.ToString(), i + 1));
                i++;
            }
            else
            {
                int start = i;
                while (i < spec.Length && !IsPunctuation(spec[i]) && !char.IsWhiteSpace(spec[i]))
                {
                    i++;
                }

                tokens.Add(new Token(spec[start..i], start + 1));
            }
        }

        return tokens;
    }

    private static bool IsPunctuation(char c) => c is ',' or '(' or ')' or '*' or '[' or ']' or '|';

    private static NngpInputException Error(Token token, string problem) =>
        new($"network spec, position {token.Position} ('{token.Text}'): {problem}");

    private sealed class Reader(List<Token> tokens, int length)
    {
        private int _next;

        public bool AtEnd => _next >= tokens.Count;

        public Token Peek => AtEnd ? new Token("end", length + 1) : tokens[_next];

        private Token Take()
        {
            Token token = Peek;
            _next++;
            return token;
        }

        private Token Expect(string text, string why)
        {
            Token token = Take();
            return token.Is(text) ? token : throw Error(token, $"expected '{text}' {why}");
        }

        /// <summary>Elements separated by commas, up to the end or a closing ')', ']' or '|'.</summary>
        public ImmutableArray<ILayer> Sequence()
        {
            var layers = ImmutableArray.CreateBuilder<ILayer>();
            while (true)
            {
                Element(layers);
                if (AtEnd || Peek.Text is not ",")
                {
                    return layers.ToImmutable();
                }

                Take();
            }
        }

        private void Element(ImmutableArray<ILayer>.Builder layers)
        {
            if (AtEnd)
            {
                throw Error(Peek, "expected a layer (conv, dense, avgpool, gap, flatten, res[…] or an activation)");
            }

            Token token = Take();
            if (token.Text == "(")
            {
                var inner = new Network(Sequence());
                Expect(")", $"to close the '(' at position {token.Position}");
                Expect("*", "after ')': a group is repeated, as in (conv:3x3:same:2:0,relu)*3");
                Token count = Take();
                if (!int.TryParse(count.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int times))
                {
                    throw Error(count, "the repeat count must be a whole number (digits only)");
                }

                layers.AddRange(inner.Repeat(times).Layers);
            }
            else if (token.Is("res") && !AtEnd && Peek.Text == "[")
            {
                layers.Add(Residual(Take()));
            }
            else if (token.Text.Length == 1 && IsPunctuation(token.Text[0]))
            {
                throw Error(token, "expected a layer (conv, dense, avgpool, gap, flatten, res[…] or an activation)");
            }
            else
            {
                layers.Add(Layer(token));
            }
        }

        private ResidualLayer Residual(Token open)
        {
            var branches = new List<Network>();
            while (true)
            {
                if (Peek.Is("id") && (tokens.Count == _next + 1 || tokens[_next + 1].Text is "|" or "]"))
                {
                    Take();
                    branches.Add(Nngp.IdentityBranch);
                }
                else
                {
                    branches.Add(new Network(Sequence()));
                }

                Token separator = Take();
                if (separator.Text == "]")
                {
                    break;
                }

                if (separator.Text != "|")
                {
                    throw Error(separator, $"expected '|' between branches or ']' to close the 'res[' at position {open.Position}");
                }
            }

            try
            {
                return new ResidualLayer([.. branches]);
            }
            catch (NngpInputException e)
            {
                throw Error(open, e.Message);
            }
        }
    }

    /// <summary>One layer word: a keyword and its ':'-separated fields.</summary>
    private static ILayer Layer(Token token)
    {
        string[] fields = token.Text.Split(':');
        var field = new Token[fields.Length];
        int offset = 0;
        for (int i = 0; i < fields.Length; i++)
        {
            field[i] = new Token(fields[i], token.Position + offset);
            offset += fields[i].Length + 1;
        }

        try
        {
            return field[0].Text.ToLowerInvariant() switch
            {
                "conv" => Conv(token, field),
                "dense" => Dense(token, field),
                "avgpool" => AvgPool(token, field),
                "gap" => Bare(token, field, new GlobalAvgPoolLayer()),
                "flatten" => Bare(token, field, new FlattenLayer()),
                "id" => throw Error(token, "'id' is the identity branch of a residual block, as in res[conv:3x3:same:2:0,relu|id]"),
                "leaky-relu" or "leakyrelu" when fields.Length == 2 => Nngp.LeakyRelu(Real(field[1], "the leaky ReLU's slope")),
                _ when fields.Length == 1 => Nngp.ActivationByName(field[0].Text),
                _ => throw Error(token, $"'{field[0].Text}' takes no ':' fields"),
            };
        }
        catch (NngpInputException e) when (!e.Message.StartsWith("network spec", StringComparison.Ordinal))
        {
            // A layer's own check (a negative variance, an unknown activation) with the token's place.
            throw Error(token, e.Message);
        }
    }

    private static ConvLayer Conv(Token token, Token[] field)
    {
        if (field.Length is not (5 or 6))
        {
            throw Error(token, "a convolution is conv:FILTER:PADDING:σw²:σb²[:stride=S], e.g. conv:3x3:same:2:0");
        }

        (int kh, int kw) = Size(field[1], "the filter");
        (int sh, int sw) = field.Length == 6 ? Stride(field[5]) : (1, 1);
        return new ConvLayer(kh, kw, Real(field[3], "σw²"), Real(field[4], "σb²"), PaddingOf(field[2]), sh, sw);
    }

    private static DenseLayer Dense(Token token, Token[] field)
    {
        if (field.Length != 3)
        {
            throw Error(token, "a dense layer is dense:σw²:σb², e.g. dense:1.45:0.28");
        }

        var dense = new DenseLayer(Real(field[1], "σw²"), Real(field[2], "σb²"));
        LayerChecks.Variances(dense.ToString(), dense.WeightVariance, dense.BiasVariance);
        return dense;
    }

    private static AvgPoolLayer AvgPool(Token token, Token[] field)
    {
        if (field.Length is < 2 or > 4)
        {
            throw Error(token, "a pooling is avgpool:WINDOW[:PADDING][:stride=S], e.g. avgpool:2x2");
        }

        (int wh, int ww) = Size(field[1], "the window");
        Padding padding = Padding.Valid;
        (int, int)? stride = null;
        int next = 2; // the padding when it is not a stride, then the stride
        if (field.Length > next && !field[next].Text.StartsWith("stride=", StringComparison.OrdinalIgnoreCase))
        {
            padding = PaddingOf(field[next++]);
        }

        if (field.Length > next)
        {
            stride = Stride(field[next++]);
        }

        if (field.Length > next)
        {
            throw Error(field[next], "unexpected field after the stride (avgpool:WINDOW[:PADDING][:stride=S])");
        }

        return new AvgPoolLayer(wh, ww, padding, stride?.Item1, stride?.Item2);
    }

    private static ILayer Bare(Token token, Token[] field, ILayer layer) =>
        field.Length == 1 ? layer : throw Error(token, $"'{field[0].Text}' takes no ':' fields");

    private static Padding PaddingOf(Token token) => token.Text.ToLowerInvariant() switch
    {
        "same" => Padding.Same,
        "valid" => Padding.Valid,
        "circular" => Padding.Circular,
        _ => throw Error(token, "unknown padding (same, valid or circular)"),
    };

    /// <summary>"3x3" (or "3×3"); a single number means a square.</summary>
    private static (int Height, int Width) Size(Token token, string what)
    {
        string[] sides = token.Text.Split('x', 'X', '×');
        if (sides.Length is 1 or 2
            && int.TryParse(sides[0], NumberStyles.None, CultureInfo.InvariantCulture, out int height)
            && int.TryParse(sides[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int width))
        {
            return (height, width);
        }

        throw Error(token, $"{what} must be HEIGHTxWIDTH in whole numbers, e.g. 3x3");
    }

    private static (int Height, int Width) Stride(Token token)
    {
        const string prefix = "stride=";
        if (!token.Text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw Error(token, "expected stride=S or stride=SxS");
        }

        return Size(new Token(token.Text[prefix.Length..], token.Position + prefix.Length), "the stride");
    }

    private static double Real(Token token, string what) =>
        double.TryParse(token.Text, RealStyle, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw Error(token, $"{what} must be a number (e.g. 1.45 or 1e-3; a decimal point, no thousands separators)");
}
