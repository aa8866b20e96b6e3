package dev.runbook.engine.internal.files;

import dev.runbook.engine.internal.files.FileActionException.Code;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.json.JSONStringer;
import org.json.JSONTokener;

/**
 * The {@code manifest.json} a backup writes into its own directory, so that a restore in a later
 * run, or by another runbook, can verify the backup before using it.
 *
 * <h2>Layout of a backup directory</h2>
 *
 * Each backed-up path is stored at its path relative to the base directory, exactly as it was (so
 * {@code files/local.db} is at {@code <backup>/files/local.db} and an operator can inspect or copy
 * it by hand), with its mode, owner (when the process may set it) and modification time. The backup
 * directory itself and any directory between it and a backed-up path are owner-only ({@code 0700});
 * the manifest is {@code 0600}. A top-level path named {@code manifest.json} is therefore reserved.
 *
 * <h2>Format, version 2</h2>
 *
 * One UTF-8 JSON object; the writer puts one entry per line. Readers ignore fields they do not know
 * and refuse any other {@code format} or {@code version} (version 1 did not cover owners and times
 * with its digest, so a restore cannot trust what it would apply; see ADR 0015).
 *
 * <p>File names are bytes, not text: every name (a path, a root, a link target, the base) is a JSON
 * string when its bytes are valid UTF-8, else an object {@code {"base64":"Y2Fm6Q=="}} holding its
 * exact bytes, so that a name such as Latin-1 {@code caf\xE9} comes back as it was.
 *
 * <pre>{@code
 * {"format":"runbook-backup","version":2,"created":"2026-11-23T07:12:03.123456Z",
 *  "base":"/opt/seqdesk","origin":{"run":"20261123-0712-seqdesk-3f9a","step":"backup_data"},
 *  "roots":["files/local.db","files/assets",".env"],
 *  "digest":"sha256:5c1f…","entries":[
 * {"path":{"base64":"Y2Fm6Q=="},"type":"file","size":3,"mode":"0644","mtime":"…","uid":0,"gid":0,"sha256":"…"},
 * {"path":".env","type":"file","size":12,"mode":"0600","mtime":"2026-11-20T10:00:00Z","uid":1000,"gid":1000,"sha256":"5891b5b5…"},
 * {"path":"files/assets","type":"dir","size":0,"mode":"0755","mtime":"…","uid":1000,"gid":1000},
 * {"path":"files/assets/logo.png","type":"symlink","size":0,"mode":"0777","mtime":"…","uid":1000,"gid":1000,"target":"brand/logo.png"},
 * …
 * ]}
 * }</pre>
 *
 * <ul>
 *   <li>{@code format}: always {@code "runbook-backup"}; {@code version}: {@code 1}.
 *   <li>{@code created}: when the backup was made, ISO-8601 UTC.
 *   <li>{@code base}: the absolute directory the paths were relative to; informational, a restore
 *       puts them under its own destination.
 *   <li>{@code origin} (optional): the run id and the step id (in the journal, {@code call/step}
 *       inside a called runbook) of the step that made the backup. It is in the manifest before the
 *       rename that publishes the backup, so a resume after a crash between that rename and the
 *       journaling of the step's result can tell that the backup is this run's own and complete.
 *       Not covered by {@code digest}: it names who wrote the backup, not what it holds.
 *   <li>{@code roots}: the backed-up paths, relative to {@code base}, in the order given; a restore
 *       replaces each of them as a whole.
 *   <li>{@code digest}: the {@link ManifestDigest} of {@code roots} and {@code entries}, covering
 *       everything a restore applies (names, kinds, modes, sizes, contents, link texts, owners,
 *       times), which a reader recomputes, so an entry removed or edited by hand makes the manifest
 *       invalid. A backup step journals it among its outputs, so that a restore in the same run
 *       refuses a backup whose manifest was rewritten and re-digested since.
 *   <li>{@code entries}: every file, directory and symbolic link under the roots, the roots
 *       included, in pre-order (a directory before its contents). Per entry:
 *       <ul>
 *         <li>{@code path}: relative to {@code base}, {@code /}-separated, no {@code .} or {@code
 *             ..} segment;
 *         <li>{@code type}: {@code file}, {@code dir} or {@code symlink};
 *         <li>{@code size}: bytes of a file, {@code 0} otherwise;
 *         <li>{@code mode}: permission bits as four octal digits ({@code "0640"}, {@code "4755"});
 *         <li>{@code mtime}: modification time, ISO-8601 UTC with the file system's precision;
 *         <li>{@code uid}, {@code gid}: numeric owner and group (optional when reading; covered by
 *             the digest either way);
 *         <li>{@code sha256}: lower-case hex SHA-256 of a file's content (files only);
 *         <li>{@code target}: the text of a symbolic link, never followed (symlinks only).
 *       </ul>
 * </ul>
 *
 * <p>The manifest is written last, to a temporary name, fsynced, then renamed into place: a backup
 * directory without {@code manifest.json} is incomplete and a restore refuses it.
 *
 * @param created when the backup was made, never null
 * @param base the directory the roots are relative to, never null
 * @param roots the backed-up paths in the order given, disjoint, never empty
 * @param entries the roots and everything under them; stored in pre-order
 * @param origin the run and step that made the backup; empty for a backup made outside a run or
 *     before manifests named it
 */
public record BackupManifest(
    Instant created,
    Path base,
    List<String> roots,
    List<FileEntry> entries,
    Optional<Origin> origin) {
  /** The manifest's file name inside a backup directory. */
  public static final String FILE_NAME = "manifest.json";

  /** The value of the {@code format} field. */
  public static final String FORMAT = "runbook-backup";

  /** The format version this code writes and reads. */
  public static final int VERSION = 2;

  /**
   * The run and step that made a backup.
   *
   * @param run the run id
   * @param step the step's id in the journal
   */
  public record Origin(String run, String step) {
    public Origin {
      Objects.requireNonNull(run, "run");
      Objects.requireNonNull(step, "step");
    }
  }

  private static final Pattern MODE = Pattern.compile("[0-7]{3,4}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /**
   * Creates a manifest, checking that it describes a restorable tree.
   *
   * @throws IllegalArgumentException if paths are malformed, roots overlap, an entry lies outside
   *     every root, a root has no entry, or an entry's parent is not a directory entry
   */
  public BackupManifest {
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(origin, "origin");
    roots = List.copyOf(roots);
    List<FileEntry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(FileEntry::path, EntryPath.PRE_ORDER));
    entries = List.copyOf(sorted);
    Optional<String> problem = problemIn(roots, entries);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
  }

  /** A manifest that names no origin. */
  public BackupManifest(Instant created, Path base, List<String> roots, List<FileEntry> entries) {
    this(created, base, roots, entries, Optional.empty());
  }

  /** The {@link ManifestDigest} of the roots and all entries, as the manifest records it. */
  public String digest() {
    return ManifestDigest.of(VERSION, roots, entries);
  }

  /** The {@link TreeDigest} of all entries: what a tree restored from this backup digests to. */
  public String contentDigest() {
    return TreeDigest.of(entries);
  }

  /** Counts over all entries. */
  public TreeSummary summary() {
    return TreeSummary.of(entries);
  }

  /** The entry of {@code root} and everything under it, in pre-order; the root's entry first. */
  public List<FileEntry> entriesOf(String root) {
    return entries.stream().filter(e -> EntryPath.isWithin(e.path(), root)).toList();
  }

  private static Optional<String> problemIn(List<String> roots, List<FileEntry> entries) {
    if (roots.isEmpty()) {
      return Optional.of("no roots");
    }
    for (int i = 0; i < roots.size(); i++) {
      String root = roots.get(i);
      if (!EntryPath.isValid(root)) {
        return Optional.of(
            "root \"" + FileNames.shown(root) + "\" is not a relative path without . or ..");
      }
      if (root.split("/")[0].equals(FILE_NAME)) {
        return Optional.of("root \"" + root + "\" is reserved for the manifest");
      }
      for (int j = 0; j < roots.size(); j++) {
        String other = roots.get(j);
        if (i != j && EntryPath.isWithin(root, other)) {
          return Optional.of(
              root.equals(other)
                  ? "root \"" + root + "\" is listed twice"
                  : "root \"" + root + "\" is inside root \"" + other + "\"");
        }
      }
    }
    Map<String, FileEntry> byPath = new HashMap<>();
    for (FileEntry entry : entries) {
      String path = entry.path();
      String shown = FileNames.shown(path);
      if (!EntryPath.isValid(path)) {
        return Optional.of("entry \"" + shown + "\" is not a relative path without . or ..");
      }
      if (entry.target().map(t -> t.isEmpty() || !FileNames.isEncodable(t)).orElse(false)) {
        return Optional.of("entry \"" + shown + "\" has an empty or invalid link target");
      }
      if (byPath.put(path, entry) != null) {
        return Optional.of("entry \"" + shown + "\" is listed twice");
      }
      if (roots.stream().noneMatch(root -> EntryPath.isWithin(path, root))) {
        return Optional.of("entry \"" + shown + "\" is not under any root");
      }
    }
    Set<String> rootSet = new HashSet<>(roots);
    for (FileEntry entry : entries) {
      if (rootSet.contains(entry.path())) {
        continue;
      }
      FileEntry parent = byPath.get(EntryPath.parent(entry.path()));
      if (parent == null || parent.type() != FileType.DIRECTORY) {
        return Optional.of(
            "entry \"" + FileNames.shown(entry.path()) + "\" has no directory entry as its parent");
      }
    }
    for (String root : roots) {
      if (!byPath.containsKey(root)) {
        return Optional.of("root \"" + FileNames.shown(root) + "\" has no entry");
      }
    }
    return Optional.empty();
  }

  /**
   * Writes {@code manifest.json} into {@code dir} atomically: a temporary file (mode {@code 0600})
   * is written and fsynced, renamed to its name, and the directory fsynced.
   */
  void writeTo(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    Path temporary = AtomicReplacement.sibling(file, "new");
    try {
      try (FileChannel channel =
              FileChannel.open(
                  temporary,
                  Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                  PosixAttributes.OWNER_ONLY_FILE);
          Writer writer = new BufferedWriter(Channels.newWriter(channel, StandardCharsets.UTF_8))) {
        write(writer);
        writer.flush();
        channel.force(true);
      }
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
    PosixAttributes.fsyncDirectory(dir);
  }

  /** Writes the manifest as JSON, one entry per line. */
  void write(Writer out) throws IOException {
    out.write("{\"format\":" + JSONObject.quote(FORMAT));
    out.write(",\"version\":" + VERSION);
    out.write(",\"created\":" + JSONObject.quote(created.toString()));
    out.write(",\"base\":" + nameJson(FileNames.text(base)));
    if (origin.isPresent()) {
      out.write(
          ",\"origin\":"
              + new JSONStringer()
                  .object()
                  .key("run")
                  .value(origin.get().run())
                  .key("step")
                  .value(origin.get().step())
                  .endObject());
    }
    out.write(",\"roots\":[");
    for (int i = 0; i < roots.size(); i++) {
      out.write((i == 0 ? "" : ",") + nameJson(roots.get(i)));
    }
    out.write("]");
    out.write(",\"digest\":" + JSONObject.quote(digest()));
    out.write(",\"entries\":[\n");
    for (int i = 0; i < entries.size(); i++) {
      out.write(toJson(entries.get(i)));
      out.write(i + 1 < entries.size() ? ",\n" : "\n");
    }
    out.write("]}\n");
  }

  private static String toJson(FileEntry entry) {
    JSONStringer json = new JSONStringer();
    json.object()
        .key("path")
        .value(nameValue(entry.path()))
        .key("type")
        .value(entry.type().manifestName())
        .key("size")
        .value(entry.size())
        .key("mode")
        .value(entry.modeOctal())
        .key("mtime")
        .value(entry.mtime().toString());
    if (entry.owner().isPresent()) {
      json.key("uid").value(entry.owner().get().uid()).key("gid").value(entry.owner().get().gid());
    }
    if (entry.sha256().isPresent()) {
      json.key("sha256").value(entry.sha256().get());
    }
    if (entry.target().isPresent()) {
      json.key("target").value(nameValue(entry.target().get()));
    }
    return json.endObject().toString();
  }

  /** A name as JSON: a string if its bytes are valid UTF-8, else {@code {"base64": bytes}}. */
  private static Object nameValue(String name) {
    if (FileNames.isUtf8(name)) {
      return name;
    }
    return new JSONObject()
        .put("base64", Base64.getEncoder().encodeToString(FileNames.encode(name)));
  }

  private static String nameJson(String name) {
    Object value = nameValue(name);
    return value instanceof String text ? JSONObject.quote(text) : value.toString();
  }

  /** The name text a {@link #nameValue} holds; a JSON string must be valid Unicode. */
  private static String nameOf(Object value, String what) {
    if (value instanceof String text) {
      if (!FileNames.isUtf8(text) || !FileNames.isEncodable(text)) {
        throw new JSONException(what + " holds a lone surrogate; write its bytes as base64");
      }
      return text;
    }
    if (value instanceof JSONObject object && object.has("base64")) {
      try {
        return FileNames.decode(Base64.getDecoder().decode(object.getString("base64")));
      } catch (IllegalArgumentException e) {
        throw new JSONException(what + " is not valid base64", e);
      }
    }
    throw new JSONException(what + " is neither a string nor {\"base64\": …}");
  }

  /**
   * Reads and checks the manifest of the backup in {@code dir}. This checks the manifest only, not
   * the backed-up files.
   *
   * @param action the action named in messages
   * @throws FileActionException with {@link Code#BACKUP_INVALID} if the manifest is missing, not
   *     valid JSON, of another format or version, inconsistent, or does not match its digest
   */
  static BackupManifest readFrom(Path dir, String action) {
    Path file = dir.resolve(FILE_NAME);
    JSONObject json;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      json = new JSONObject(new JSONTokener(reader));
    } catch (NoSuchFileException e) {
      throw new FileActionException(
          Code.BACKUP_INVALID,
          dir,
          action
              + ": "
              + dir
              + " is not a complete backup: it has no "
              + FILE_NAME
              + " (an interrupted backup has none); nothing was changed",
          e);
    } catch (IOException e) {
      throw FileActionException.io(action, "read", file, e);
    } catch (JSONException e) {
      throw invalid(action, file, "it is not valid JSON (" + e.getMessage() + ")", e);
    }
    try {
      String format = json.getString("format");
      if (!format.equals(FORMAT)) {
        throw invalid(
            action, file, "its format is \"" + format + "\", not \"" + FORMAT + "\"", null);
      }
      int version = json.getInt("version");
      if (version != VERSION) {
        throw invalid(
            action,
            file,
            "it has format version "
                + version
                + ", this runbook reads version "
                + VERSION
                + (version > VERSION
                    ? " (written by a newer runbook?)"
                    : " (its digest does not cover the owners and times a restore applies; make a"
                        + " new backup, or restore this one by hand after checking it)"),
            null);
      }
      Instant created = Instant.parse(json.getString("created"));
      Path base = FileNames.path(nameOf(json.get("base"), "base"));
      Optional<Origin> origin = Optional.empty();
      if (json.has("origin")) {
        JSONObject by = json.getJSONObject("origin");
        origin = Optional.of(new Origin(by.getString("run"), by.getString("step")));
      }
      List<String> roots = new ArrayList<>();
      JSONArray rootArray = json.getJSONArray("roots");
      for (int i = 0; i < rootArray.length(); i++) {
        roots.add(nameOf(rootArray.get(i), "root " + i));
      }
      List<FileEntry> entries = new ArrayList<>();
      JSONArray entryArray = json.getJSONArray("entries");
      for (int i = 0; i < entryArray.length(); i++) {
        entries.add(entryOf(entryArray.getJSONObject(i), i));
      }
      BackupManifest manifest;
      try {
        manifest = new BackupManifest(created, base, roots, entries, origin);
      } catch (IllegalArgumentException e) {
        throw invalid(action, file, e.getMessage(), e);
      }
      String digest = json.getString("digest");
      if (!digest.equals(manifest.digest())) {
        throw invalid(
            action, file, "its entries do not match its digest (edited or corrupted)", null);
      }
      return manifest;
    } catch (JSONException | DateTimeParseException | InvalidPathException e) {
      throw invalid(action, file, e.getMessage(), e);
    }
  }

  private static FileEntry entryOf(JSONObject json, int index) {
    String path = nameOf(json.get("path"), "entry " + index + "'s path");
    String where = "entry " + index + " (\"" + FileNames.shown(path) + "\"): ";
    FileType type =
        FileType.ofManifestName(json.getString("type"))
            .orElseThrow(
                () -> new JSONException(where + "unknown type \"" + json.getString("type") + "\""));
    String mode = json.getString("mode");
    if (!MODE.matcher(mode).matches()) {
      throw new JSONException(where + "mode \"" + mode + "\" is not octal");
    }
    Optional<FileEntry.Owner> owner =
        json.has("uid") && json.has("gid")
            ? Optional.of(new FileEntry.Owner(json.getInt("uid"), json.getInt("gid")))
            : Optional.empty();
    Optional<String> sha256 =
        type == FileType.FILE ? Optional.of(json.getString("sha256")) : Optional.empty();
    if (sha256.isPresent() && !SHA256.matcher(sha256.get()).matches()) {
      throw new JSONException(where + "sha256 is not 64 lower-case hex digits");
    }
    Optional<String> target =
        type == FileType.SYMLINK
            ? Optional.of(nameOf(json.get("target"), where + "target"))
            : Optional.empty();
    try {
      return new FileEntry(
          path,
          type,
          json.getLong("size"),
          Integer.parseInt(mode, 8),
          Instant.parse(json.getString("mtime")),
          owner,
          sha256,
          target);
    } catch (IllegalArgumentException e) {
      throw new JSONException(where + e.getMessage(), e);
    }
  }

  private static FileActionException invalid(
      String action, Path file, String why, Throwable cause) {
    return new FileActionException(
        Code.BACKUP_INVALID,
        file,
        action + ": backup manifest " + file + " is not valid: " + why + "; nothing was changed",
        cause);
  }
}
