package dev.runbook.dsl.internal;

import dev.runbook.dsl.Problem;
import dev.runbook.dsl.model.SourceLocation;
import java.io.StringReader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.json.JSONArray;
import org.json.JSONObject;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Stage one: YAML 1.2 text to a {@link PositionedJson}, within bounds.
 *
 * <p>Uses snakeyaml-engine's {@code compose}, which keeps marks, rather than its constructor, so
 * every value keeps its line and column. Bounds make hostile input fail fast: nesting depth is
 * checked on the event stream before composing (composing recurses), aliases to collections are
 * limited by snakeyaml-engine, and the number of values produced after alias expansion is capped so
 * an alias bomb cannot exhaust memory.
 */
final class YamlToJson {
  static final int MAX_DEPTH = 64;
  static final int MAX_ALIASES = 50;
  static final int MAX_VALUES = 200_000;

  private final String file;
  private final List<Problem> problems = new ArrayList<>();
  private final Map<String, SourceLocation> valueLocations = new HashMap<>();
  private final Map<String, SourceLocation> keyLocations = new HashMap<>();
  private int values;

  private YamlToJson(String file) {
    this.file = file;
  }

  /** Reads one YAML document; adds problems and returns empty when it cannot. */
  static Optional<PositionedJson> read(String file, String text, List<Problem> problems) {
    YamlToJson reader = new YamlToJson(file);
    Optional<PositionedJson> json = reader.read(text);
    problems.addAll(reader.problems);
    return json;
  }

  private Optional<PositionedJson> read(String text) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(file)
            .setSchema(new CoreSchema())
            .setAllowDuplicateKeys(false)
            .setMaxAliasesForCollections(MAX_ALIASES)
            .setAllowRecursiveKeys(false)
            .setCodePointLimit(Integer.MAX_VALUE)
            .setUseMarks(true)
            .build();
    try {
      Optional<List<Event>> events = withinDepth(settings, text);
      if (events.isEmpty()) {
        return Optional.empty();
      }
      // Composed from the events already parsed: parsing is most of the cost of a long runbook.
      Optional<Node> node = new Composer(settings, new EventList(events.get())).getSingleNode();
      if (node.isEmpty()) {
        problems.add(
            Problem.error(
                "yaml.empty",
                new SourceLocation(file, 1, 1),
                "the file is empty",
                "a runbook starts with `schema: runbook/v1`, `name:` and `steps:`"));
        return Optional.empty();
      }
      Object root = convert(node.get(), "#");
      if (!problems.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new PositionedJson(root, valueLocations, keyLocations, file));
    } catch (ValueLimitExceeded e) {
      problems.add(
          Problem.error(
              "yaml.too-large",
              e.location,
              "the document expands to more than " + MAX_VALUES + " values",
              "an alias (`*name`) repeats a large anchor; write the values out or use fewer"
                  + " aliases"));
      return Optional.empty();
    } catch (MarkedYamlEngineException e) {
      problems.add(syntaxProblem(e));
      return Optional.empty();
    } catch (YamlEngineException e) {
      problems.add(
          Problem.error("yaml.syntax", new SourceLocation(file, 1, 1), oneLine(e.getMessage())));
      return Optional.empty();
    }
  }

  /**
   * The document's events, unless it is nested too deep or has several documents: walking the event
   * stream is iterative, and stops deep input before compose recurses.
   */
  private Optional<List<Event>> withinDepth(LoadSettings settings, String text) {
    int depth = 0;
    int documents = 0;
    List<Event> events = new ArrayList<>();
    for (Event event : new Parse(settings).parseReader(new StringReader(text))) {
      events.add(event);
      switch (event.getEventId()) {
        case DocumentStart -> {
          if (++documents > 1) {
            problems.add(
                Problem.error(
                    "yaml.multiple-documents",
                    locationOf(event.getStartMark()),
                    "a second YAML document (`---`) in a runbook file",
                    "one runbook per file: remove the `---` and what follows, or split the file"));
            return Optional.empty();
          }
        }
        case MappingStart, SequenceStart -> {
          if (++depth > MAX_DEPTH) {
            problems.add(
                Problem.error(
                    "yaml.too-deep",
                    locationOf(event.getStartMark()),
                    "the document is nested more than " + MAX_DEPTH + " levels deep"));
            return Optional.empty();
          }
        }
        case MappingEnd, SequenceEnd -> depth--;
        default -> {}
      }
    }
    return Optional.of(events);
  }

  /** A parser that hands out events parsed before. */
  private static final class EventList implements Parser {
    private final List<Event> events;
    private int next;

    EventList(List<Event> events) {
      this.events = events;
    }

    @Override
    public boolean hasNext() {
      return next < events.size();
    }

    @Override
    public boolean checkEvent(Event.ID id) {
      return hasNext() && events.get(next).getEventId() == id;
    }

    @Override
    public Event peekEvent() {
      if (!hasNext()) {
        throw new NoSuchElementException("no more events");
      }
      return events.get(next);
    }

    @Override
    public Event next() {
      Event event = peekEvent();
      next++;
      return event;
    }
  }

  private Object convert(Node node, String pointer) {
    if (++values > MAX_VALUES) {
      throw new ValueLimitExceeded(locationOf(node.getStartMark()));
    }
    valueLocations.putIfAbsent(pointer, locationOf(node.getStartMark()));
    if (node instanceof ScalarNode scalar) {
      return scalar(scalar);
    }
    if (node instanceof SequenceNode sequence) {
      JSONArray array = new JSONArray();
      int index = 0;
      for (Node item : sequence.getValue()) {
        array.put(convert(item, PositionedJson.child(pointer, index++)));
      }
      return array;
    }
    MappingNode mapping = (MappingNode) node;
    JSONObject object = new JSONObject();
    Map<String, SourceLocation> seen = new HashMap<>();
    // the key before this one, when its value is an indented block (a map or a list)
    String blockAbove = null;
    for (NodeTuple tuple : mapping.getValue()) {
      String above = blockAbove;
      blockAbove =
          tuple.getKeyNode() instanceof ScalarNode k
                  && (tuple.getValueNode() instanceof MappingNode
                      || tuple.getValueNode() instanceof SequenceNode)
              ? k.getValue()
              : null;
      Node keyNode = tuple.getKeyNode();
      SourceLocation keyLocation = locationOf(keyNode.getStartMark());
      if (!(keyNode instanceof ScalarNode keyScalar)) {
        problems.add(
            Problem.error(
                "yaml.complex-key",
                keyLocation,
                "a mapping key must be a plain string",
                "keys such as `? [a, b]` or `{a: 1}: x` are not used in runbooks"));
        continue;
      }
      String key = keyScalar.getValue();
      if (key.equals("<<")) {
        problems.add(
            Problem.error(
                "yaml.merge-key",
                keyLocation,
                "merge keys (`<<:`) are not part of YAML 1.2",
                "write the keys out, or use an anchor for the whole value"));
        continue;
      }
      SourceLocation first = seen.putIfAbsent(key, keyLocation);
      if (first != null) {
        problems.add(
            Problem.error(
                "yaml.duplicate-key",
                keyLocation,
                "duplicate key `" + key + "` (first at line " + first.line() + ")",
                above != null
                    ? "if it belongs inside `"
                        + above
                        + ":` above, indent it to match the lines under `"
                        + above
                        + ":`; otherwise remove one of them"
                    : "remove one of them: YAML keeps only one and the other would be lost"
                        + " silently"));
        continue;
      }
      String childPointer = PositionedJson.child(pointer, key);
      keyLocations.put(childPointer, keyLocation);
      object.put(key, convert(tuple.getValueNode(), childPointer));
    }
    return object;
  }

  private Object scalar(ScalarNode scalar) {
    Tag tag = scalar.getTag();
    String value = scalar.getValue();
    if (tag.equals(Tag.NULL)) {
      return JSONObject.NULL;
    }
    if (tag.equals(Tag.BOOL)) {
      return Boolean.valueOf(value.toLowerCase(java.util.Locale.ROOT));
    }
    if (tag.equals(Tag.INT)) {
      return parseInteger(value);
    }
    if (tag.equals(Tag.FLOAT)) {
      try {
        return Double.valueOf(value);
      } catch (NumberFormatException e) {
        return value;
      }
    }
    if (!tag.equals(Tag.STR)) {
      problems.add(
          Problem.error(
              "yaml.tag",
              locationOf(scalar.getStartMark()),
              "the tag `" + tag.getValue() + "` is not supported",
              "remove the `!` tag; quote the value if it is text"));
    }
    return value;
  }

  private static Object parseInteger(String text) {
    String t = text.replace("_", "");
    try {
      BigInteger big;
      if (t.startsWith("0x")) {
        big = new BigInteger(t.substring(2), 16);
      } else if (t.startsWith("0o")) {
        big = new BigInteger(t.substring(2), 8);
      } else {
        big = new BigInteger(t);
      }
      return big.bitLength() < 63 ? (Object) big.longValue() : big;
    } catch (NumberFormatException e) {
      return text;
    }
  }

  private Problem syntaxProblem(MarkedYamlEngineException e) {
    Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
    SourceLocation location = mark.map(this::locationOf).orElse(new SourceLocation(file, 1, 1));
    String problem = Optional.ofNullable(e.getProblem()).orElse("invalid YAML");
    String context = e.getContext();
    String message = context == null ? problem : context + ": " + problem;
    String hint = null;
    if (message.contains("\\t") || message.contains("tab")) {
      hint = "indent with spaces: YAML does not allow tabs for indentation";
    } else if (message.contains("found unexpected end of stream")
        || message.contains("while scanning a quoted scalar")) {
      hint = "a quoted value is not closed: add the closing quote";
    } else if (message.contains("Number of aliases")) {
      hint = "at most " + MAX_ALIASES + " aliases (`*name`) of lists or maps are allowed";
    } else if (message.contains("mapping values are not allowed here")
        || message.contains("expected <block end>")
        || message.contains("did not find expected key")
        || message.contains("did not find expected '-' indicator")) {
      // the parser's words describe its state, not the operator's mistake: nearly always a line
      // indented more or less than the lines of the same map or list
      return Problem.error(
          "yaml.indentation",
          location,
          "this line's indentation does not fit the lines above it",
          "the keys of one map start in the same column, and a nested map or list is indented"
              + " under its key (with spaces); check this line and the one before it");
    }
    return Problem.error("yaml.syntax", location, oneLine(message), hint);
  }

  private SourceLocation locationOf(Optional<Mark> mark) {
    return mark.map(this::locationOf).orElse(new SourceLocation(file, 1, 1));
  }

  private SourceLocation locationOf(Mark mark) {
    return new SourceLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  private static String oneLine(String message) {
    return message == null ? "invalid YAML" : message.strip().replaceAll("\\s*\\n\\s*", "; ");
  }

  /** Thrown to unwind the recursion at once when the value budget is spent. */
  private static final class ValueLimitExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient SourceLocation location;

    ValueLimitExceeded(SourceLocation location) {
      super(null, null, false, false);
      this.location = location;
    }
  }
}
