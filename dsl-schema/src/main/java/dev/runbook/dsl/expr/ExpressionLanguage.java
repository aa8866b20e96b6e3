package dev.runbook.dsl.expr;

import dev.runbook.dsl.expr.ExpressionException.Reason;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Template;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlExpression;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.JexlInfo;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.introspection.JexlPermissions;
import org.apache.commons.jexl3.introspection.JexlSandbox;

/**
 * The {@code ${{ }}} expression language: JEXL 3, locked down to reading values and calling a few
 * functions.
 *
 * <h2>What an expression can do</h2>
 *
 * <p>Read the variables {@link #ROOTS params, env, steps and run} ({@code params.install_dir},
 * {@code steps['stop-old'].status}, {@code steps.count.outputs.rows}); compare ({@code == != < <= >
 * >=}); compute ({@code + - * / %}, {@code +} also joins strings); combine ({@code && || !}, also
 * spelt {@code and or not}); choose ({@code c ? a : b}); default ({@code env.TAG ?? 'latest'} gives
 * the right side when the left is undefined or null, and is the only way to read something that may
 * be absent); test text with JEXL's operators ({@code =~} whole-text regular expression, {@code =^}
 * starts with, {@code =$} ends with, and their negations {@code !~ !^ !$}); and call the
 * {@linkplain ExpressionFunctions functions} {@code contains, starts_with, ends_with, matches,
 * lower, upper, trim, basename, dirname, length, number} plus JEXL's own {@code size(x)} and {@code
 * empty(x)}. There is no {@code default()} function: {@code default} is a JEXL keyword, and {@code
 * ??} does the job.
 *
 * <p>Semantics worth knowing, all JEXL's own: a captured output is always text, so {@code +} joins
 * it ({@code '12' + 1} is {@code 121}) and two outputs compare as text ({@code '12' < '9'}); {@code
 * number(…)} makes a number of it, and a comparison with a number literal converts by itself
 * ({@code steps.count.outputs.rows > 0}). Division of integers is integer division ({@code 7 / 2}
 * is 3; write {@code 7 / 2.0}). Inside {@code && || ! ? :} JEXL's truthiness applies (the empty
 * text, {@code 'false'} and 0 are false); only the final value of a condition must be a boolean
 * ({@link CompiledExpression#test}). Like {@code ??} and {@code ?:}, a ternary whose condition is a
 * bare reference ({@code env.DEBUG ? 'x' : 'y'}) takes an undefined one as false; the reference is
 * still in {@link CompiledExpression#references()}, so validation catches a name that the runbook
 * does not declare. JEXL's {@code switch} expression and its regular expression literals ({@code
 * ~/…/}) parse; they read nothing that a plain expression cannot.
 *
 * <h2>What it cannot do, and how that is enforced</h2>
 *
 * <p>Found by experiment with JEXL 3.7.1 and kept true by tests ({@code SandboxTest}):
 *
 * <ol>
 *   <li><b>Parse time.</b> {@link JexlFeatures#createNone()} switches every optional feature off:
 *       assignment and side effects (global ones too), local variables, loops, {@code new}, lambdas
 *       and functions (both arrows), method calls (so {@code ''.getClass()} and {@code
 *       x.forName(…)} do not parse), list/set/map/range literals, computed subscripts ({@code
 *       steps[params.id]}: a reference must be a fixed path so that it can be checked), multiple
 *       statements, pragmas, annotations, imports, namespace pragmas and comparator names ({@code
 *       lt}, {@code eq}: words that could be step ids). Function calls by bare name still work with
 *       method calls off: they resolve in JEXL's global namespace, which holds only {@link
 *       ExpressionFunctions}. On top of JEXL, {@link #compile} refuses the backtick (JEXL's {@code
 *       `…${x}…`} strings hide their references from {@code getVariables()}), names other than the
 *       four roots, calls of unknown functions, sources over {@value #MAX_LENGTH} characters and
 *       brackets nested over {@value #MAX_DEPTH} deep (JEXL's parser overflows the stack near a
 *       thousand).
 *   <li><b>Introspection.</b> {@link JexlPermissions#RESTRICTED} (no {@code Class}, {@code System},
 *       {@code Runtime}, {@code ProcessBuilder}, reflection, I/O or network) composed with this
 *       package only, so that the functions are visible; under it a {@link JexlSandbox} that blocks
 *       every class by default and allows reading {@code java.util.Map} (and its implementations)
 *       and executing the named functions, nothing else; under that a map-only introspection that
 *       reads a map's keys, never its bean properties ({@code params.class}), writes nothing,
 *       constructs nothing and resolves no class by name.
 *   <li><b>Evaluation.</b> Strict: an unknown variable, an unknown key of a map, a property of a
 *       string or number, and arithmetic on null are errors, never a silent null. {@code &&} and
 *       {@code ||} give booleans. Messages never quote JEXL or the JDK, whose wording can contain a
 *       value (and a value can be a secret).
 * </ol>
 *
 * <p>Thread safety: an instance is immutable and shared; so are the {@link CompiledExpression}s it
 * makes.
 */
public final class ExpressionLanguage {
  /** The variables an expression may read, in the order messages list them. */
  public static final List<String> ROOTS = List.of("params", "env", "steps", "run");

  /** The longest expression source accepted, in characters. */
  public static final int MAX_LENGTH = 2000;

  /** The deepest nesting of brackets accepted. */
  public static final int MAX_DEPTH = 32;

  // JEXL words that may stand before "(" without being a function call.
  private static final Set<String> OPERATOR_WORDS =
      Set.of("not", "and", "or", "div", "mod", "empty", "size", "switch", "case");

  // "@1:3 method call error in '.getClass(...)'": what JEXL refused, and the piece of source.
  private static final Pattern JEXL_DETAIL =
      Pattern.compile("@\\d+:\\d+ (.+?) error in '(.*)'\\s*$", Pattern.DOTALL);

  private final SortedSet<String> functions;
  private final JexlEngine engine;

  private ExpressionLanguage() {
    this.functions = Collections.unmodifiableSortedSet(functionNames());
    this.engine = lockedDownEngine(functions);
  }

  /** The shared instance; never null. */
  public static ExpressionLanguage standard() {
    return Standard.INSTANCE;
  }

  // Built on first use, not when render() or ROOTS is touched: the engine costs a third of a
  // second on a cold JVM, which commands such as `schema` need not pay.
  private static final class Standard {
    static final ExpressionLanguage INSTANCE = new ExpressionLanguage();
  }

  /** The names of the functions an expression may call, sorted; never empty. */
  public SortedSet<String> functions() {
    return functions;
  }

  /**
   * Splits a scalar into literal text and {@code ${{ … }}} parts.
   *
   * <p>Each part's expression source is the trimmed inside. There is no escape syntax: {@code $}
   * before {@code ${{} is plain text; a {@code }}} outside {@code ${{ }}} is plain text; inside,
   * the first {@code }}} that is not in a quoted string closes it. A text without {@code ${{} is
   * one literal; the empty text has no part.
   *
   * <p>Locations: {@code location} is where the first character of {@code text} is written. A
   * part's location is that of its {@code ${{}: on the first line, {@code location}'s column plus
   * the offset; on a later line, that line, at {@code location}'s column plus the offset within
   * the line. That is exact for a plain scalar on one line, for a quoted scalar when {@code
   * location} is the character after the quote and no escape comes before the {@code ${{}, and for
   * a literal block ({@code |}) when {@code location} is its first content line and indentation.
   * For folded scalars ({@code >}, and multi-line plain or quoted ones), whose line breaks YAML
   * has turned into spaces, the line is that of the scalar's start and the column only a guide. A
   * {@code location} without a line or column (0) is kept as is.
   *
   * @throws ExpressionException ({@link Reason#SYNTAX}) for an unclosed {@code ${{}, an empty
   *     {@code ${{ }}} and a {@code ${{} inside another; at the offending {@code ${{}
   */
  public Template parseTemplate(String text, SourceLocation location) {
    return TemplateParser.parse(text, location);
  }

  /**
   * Reads a condition ({@code when}, {@code expr}), written with or without {@code ${{ }}}: {@code
   * "${{ params.force }}"} and {@code "params.force"} are the same expression.
   *
   * @throws ExpressionException ({@link Reason#SYNTAX}) for an empty condition, or when {@code ${{
   *     }}} is mixed with other text (a condition is one expression, not a string)
   */
  public Expression parseCondition(String text, SourceLocation location) {
    if (!text.contains(TemplateParser.OPEN)) {
      String source = text.strip();
      if (source.isEmpty()) {
        throw new ExpressionException(Reason.SYNTAX, location, "empty condition");
      }
      int leading = text.indexOf(source.charAt(0));
      return new Expression(source, TemplateParser.locate(location, text, leading));
    }
    Template template = parseTemplate(text, location);
    List<Expression> expressions = new ArrayList<>();
    boolean otherText = false;
    for (Template.Part part : template.parts()) {
      if (part instanceof Template.Interpolation) {
        expressions.add(((Template.Interpolation) part).expression());
      } else if (!((Template.Literal) part).text().isBlank()) {
        otherText = true;
      }
    }
    if (expressions.size() != 1 || otherText) {
      throw new ExpressionException(
          Reason.SYNTAX,
          location,
          "a condition is one expression: write it bare (params.force && run.id != '') or wrap"
              + " all of it in one ${{ }}");
    }
    return expressions.get(0);
  }

  /**
   * Parses and checks an expression, ready to evaluate any number of times.
   *
   * @return never null
   * @throws ExpressionException at the expression's location: {@link Reason#SYNTAX} when it does
   *     not parse, {@link Reason#FORBIDDEN} for a construct the sandbox refuses, {@link
   *     Reason#UNKNOWN_NAME} for a variable other than the {@link #ROOTS} or an unknown function
   */
  public CompiledExpression compile(Expression expression) {
    String source = expression.source().strip();
    SourceLocation at = expression.location();
    if (source.isEmpty()) {
      throw new ExpressionException(Reason.SYNTAX, at, "empty expression");
    }
    if (source.length() > MAX_LENGTH) {
      throw new ExpressionException(
          Reason.FORBIDDEN,
          at,
          "expression is "
              + source.length()
              + " characters long, more than "
              + MAX_LENGTH
              + "; move the logic into the step's script");
    }
    SourceScan scan = SourceScan.of(source);
    if (scan.backtick()) {
      throw new ExpressionException(
          Reason.FORBIDDEN,
          at,
          "` is not allowed in expressions: write strings in '…' or \"…\" and join them with +");
    }
    if (scan.depth() > MAX_DEPTH) {
      throw new ExpressionException(
          Reason.FORBIDDEN, at, "brackets nested more than " + MAX_DEPTH + " deep");
    }
    JexlExpression jexl;
    try {
      jexl = engine.createExpression(new JexlInfo("expression", 1, 1), source);
    } catch (JexlException.Feature e) {
      throw new ExpressionException(Reason.FORBIDDEN, at, forbidden(e), e);
    } catch (JexlException e) {
      throw new ExpressionException(Reason.SYNTAX, at, syntax(source, e), e);
    }
    List<List<String>> references = references(jexl);
    for (List<String> path : references) {
      checkRoot(path.get(0), source, at);
    }
    for (String call : scan.calls()) {
      if (!functions.contains(call) && !OPERATOR_WORDS.contains(call)) {
        throw new ExpressionException(
            Reason.UNKNOWN_NAME,
            at,
            "unknown function `"
                + call
                + "`"
                + Suggestions.didYouMean(call, functions)
                + " (functions: "
                + String.join(", ", functions)
                + ", size, empty)");
      }
    }
    return new CompiledExpression(new Expression(source, at), jexl, references);
  }

  /**
   * Resolves a template to text: literals as written, each {@code ${{ }}} by {@link
   * CompiledExpression#render}.
   *
   * <p>For a {@code run} script, do not paste the result into the shell: pass each part's value
   * through the environment (see DESIGN, "How a value reaches a shell").
   *
   * @throws ExpressionException from compiling, evaluating or rendering a part
   */
  public String resolve(Template template, Map<String, ?> variables) {
    StringBuilder text = new StringBuilder();
    for (Template.Part part : template.parts()) {
      if (part instanceof Template.Literal) {
        text.append(((Template.Literal) part).text());
      } else {
        text.append(compile(((Template.Interpolation) part).expression()).render(variables));
      }
    }
    return text.toString();
  }

  /**
   * The text of a value in a template: a string as it is; an integer without a fraction ({@code
   * 3}); a decimal in plain notation without trailing zeros ({@code 4.5}, {@code 3} for 3.0, {@code
   * 1000} for 1e3); a boolean as {@code true} or {@code false}.
   *
   * <p>Null is an error, not an empty string: in {@code rm -rf ${{ params.dir }}/cache} an empty
   * string would be a disaster. Write {@code x ?? ''} to mean it. Maps, lists and anything else are
   * errors too.
   *
   * @throws IllegalArgumentException naming the kind of value (never the value); {@link
   *     CompiledExpression#render} turns it into an {@link ExpressionException} with a location
   */
  public static String render(Object value) {
    return ValueText.of(value);
  }

  private void checkRoot(String root, String source, SourceLocation at) {
    if (ROOTS.contains(root)) {
      return;
    }
    String hint;
    if (functions.contains(root)) {
      hint = "; `" + root + "` is a function: call it as " + root + "(…)";
    } else if (Pattern.compile("[\\w\\]']-" + Pattern.quote(root) + "\\b").matcher(source).find()) {
      hint = "; a name with '-' needs brackets: steps['stop-old'].status";
    } else {
      hint = Suggestions.didYouMean(root, ROOTS);
    }
    throw new ExpressionException(
        Reason.UNKNOWN_NAME,
        at,
        "unknown name `" + root + "`: expressions read " + String.join(", ", ROOTS) + hint);
  }

  private static List<List<String>> references(JexlExpression jexl) {
    if (!(jexl instanceof JexlScript)) {
      // JEXL 3's only implementation is both; a change here must not pass unnoticed.
      throw new IllegalStateException("JEXL expression without getVariables()");
    }
    List<List<String>> paths = new ArrayList<>();
    for (List<String> path : ((JexlScript) jexl).getVariables()) {
      paths.add(List.copyOf(path));
    }
    return List.copyOf(paths);
  }

  private static String forbidden(JexlException.Feature e) {
    Matcher m = JEXL_DETAIL.matcher(String.valueOf(e.getMessage()));
    boolean found = m.find();
    String what = found ? m.group(1) : "";
    String where = found ? " (at `" + m.group(2) + "`)" : "";
    String why;
    switch (what) {
      case "method call":
        why = "method calls are not allowed; call one of the functions instead";
        break;
      case "assign/modify":
      case "global assign/modify":
        why = "assignment is not allowed: an expression only reads values";
        break;
      case "create instance":
        why = "`new` is not allowed";
        break;
      case "loop":
        why = "loops are not allowed";
        break;
      case "local variable":
      case "function":
      case "thin-arrow":
      case "fat-arrow":
        why = "variables, lambdas and function definitions are not allowed";
        break;
      case "set/map/array literal":
        why = "list, set, map and range literals are not allowed";
        break;
      case "array reference":
        why =
            "a computed subscript is not allowed: write the name, as in steps['stop-old'], so"
                + " that the reference can be checked";
        break;
      case "script":
        why = "only one expression is allowed";
        break;
      default:
        why = (what.isEmpty() ? "this construct" : what) + " is not allowed in expressions";
    }
    return why + where;
  }

  private static String syntax(String source, JexlException e) {
    Matcher m = JEXL_DETAIL.matcher(String.valueOf(e.getMessage()));
    String near = m.find() ? " near `" + m.group(2) + "`" : "";
    return "syntax error in `" + abbreviate(source) + "`" + near;
  }

  static String abbreviate(String source) {
    String oneLine = source.replaceAll("\\s+", " ");
    return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
  }

  private static SortedSet<String> functionNames() {
    return Arrays.stream(ExpressionFunctions.class.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()))
        .map(Method::getName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static JexlEngine lockedDownEngine(Set<String> functions) {
    JexlPermissions permissions =
        JexlPermissions.RESTRICTED.compose(ExpressionFunctions.class.getPackageName() + ".*");
    // The builder takes permissions or an uberspect, not both: build JEXL's own introspection
    // with the permissions, then narrow it.
    StrictMapUberspect introspection =
        new StrictMapUberspect(new JexlBuilder().permissions(permissions).create().getUberspect());

    JexlSandbox sandbox = new JexlSandbox(false, true); // block by default; Map's rule inherited
    sandbox.permissions(Map.class.getName(), true, false, false); // read every key, nothing else
    sandbox
        .permissions(ExpressionFunctions.class.getName(), false, false, true)
        .execute(functions.toArray(String[]::new));

    Map<String, Object> namespaces = new HashMap<>();
    namespaces.put(null, ExpressionFunctions.class); // the global namespace: bare names

    return new JexlBuilder()
        .features(JexlFeatures.createNone())
        .uberspect(introspection)
        .sandbox(sandbox)
        .namespaces(namespaces)
        .arithmetic(new JexlArithmetic(true))
        .strict(true)
        .safe(false)
        .silent(false)
        .antish(false)
        .booleanLogical(true)
        .cancellable(false)
        .debug(false)
        .cache(512)
        .create();
  }
}
