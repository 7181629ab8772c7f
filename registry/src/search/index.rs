//! The index's lifecycle: built at publish, pinned by the registry version.
//!
//! ```text
//! DIR/index/<generation>/            a complete tantivy index + daryn-index.json
//! DIR/index/<generation>.building/   an index being built; never opened
//! ```
//!
//! - A run's index is a new generation in a fresh folder, renamed into place only when
//!   committed, before the version file that pins it is written: a crash at any moment
//!   leaves the previous version and its generation searchable. Folders of a crashed run
//!   (`*.building`, or generations no version pins that are newer than every pin) are
//!   removed by the next run.
//! - A first build (or one after a format change, or after item 15's weights changed in
//!   `daryn.toml`) indexes every region, merged into [`SEARCH_SEGMENTS`] segments.
//! - A run that changed k regions hard-links the previous generation's files (tantivy
//!   never rewrites a file, so the old generation stays as it was), deletes the documents
//!   of those k regions by their `/region/<code>` facet and adds them again: the other
//!   regions are not read at all. Segments are merged into [`SEARCH_SEGMENTS`] of about
//!   equal size (searched in parallel) when there are more than [`MAX_SEGMENTS`].
//! - Every generation stays on disk while a kept version pins it, so `--as-of` opens
//!   the generation of the older version.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};
use tracing::info;

use super::documents::DocumentBuilder;
use super::facets::FacetVocabulary;
use super::fields::{IndexFields, register_analyzers};
use super::key::ChildKeyer;
use super::rows::VersionReader;
use super::tags::tag;
use super::{SearchError, SearchResult};
use crate::store::{RegistryVersion, Store, pause_point};

/// The format of an index generation; a generation of another format is rebuilt whole.
/// Format 2: column dictionaries without zstd (format 1 had them compressed).
/// Format 3: facet counts from the `facet_bits_*` fast fields.
/// Format 4: one indexed `words` field instead of `text` and `tags`; no positions.
/// Format 5: coded values once each in `tags` (no facet field); their spellings no
/// longer in `words`.
/// Format 6: `kind`, `key` and `best` no longer indexed (stored, or a fast field, only).
/// Format 7: a teacher's score counts an achievement pasted twice once, as item 15's
/// report does, and the Kazakh stemmer keeps the `с` of `сайысы`, `облысы` (the fields
/// are those of format 6).
/// Format 8: a word whose Kazakh letters were all in its suffix (`олимпиадасының`) is
/// stemmed on as a word of the shared alphabet, to the key of `олимпиада`.
/// Format 9: decomposed letters (NFD), full-width letters and invisible characters in
/// a word are read as typed letters, and a Latin `yo` after a consonant folds as `ё`.
pub const INDEX_FORMAT: u32 = 9;
/// The oldest format a search still reads: format 6 only stopped indexing fields that no
/// query looks up, so a registry built before it stays searchable until its next
/// publish rebuilds the index.
pub const OLDEST_READABLE_FORMAT: u32 = 5;
/// An incremental generation with more segments than this is merged again.
pub const MAX_SEGMENTS: usize = 8;
/// A merged generation has this many segments of about equal size, one per thread a
/// search runs on ([`super::query::SearchIndex`] searches them in parallel).
pub const SEARCH_SEGMENTS: usize = 2;
const META_FILE: &str = "daryn-index.json";
/// The writer's memory, shared by its two threads. Enough that a first build of 1,000,000
/// children is written as one segment per thread (about 1.6 GB resident) and needs no
/// merge; a larger registry flushes a segment when a thread's half is full.
const WRITER_MEMORY: usize = 2048 * 1024 * 1024;

/// What `daryn-index.json` says about a generation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct GenerationMeta {
    pub format: u32,
    pub generation: u64,
    pub registry_version: u64,
    /// The generation this one was built from, when incremental.
    pub based_on: Option<u64>,
    /// The regions whose documents were (re)indexed.
    pub regions: Vec<String>,
    pub documents: u64,
    pub segments: usize,
    /// Item 15's weights the teachers' scores were computed with
    /// ([`crate::config::Item15Weights::fingerprint`]); other weights mean a whole rebuild.
    #[serde(default)]
    pub item15: String,
    /// The facet vocabulary, bit by bit ([`super::facets::FacetVocabulary`]); searches
    /// decode the counts with it, and another vocabulary means a whole rebuild.
    #[serde(default)]
    pub facets: Vec<String>,
}

/// What indexing a version did.
#[derive(Clone, Debug, Serialize)]
pub struct IndexReport {
    pub generation: u64,
    pub incremental: bool,
    pub regions: Vec<String>,
    pub documents_added: u64,
    pub elapsed_ms: u64,
}

fn index_root(store: &Store) -> PathBuf {
    store.root().join("index")
}

pub fn generation_path(store: &Store, generation: u64) -> PathBuf {
    index_root(store).join(generation.to_string())
}

fn tantivy_error(path: &Path) -> impl FnOnce(tantivy::TantivyError) -> SearchError + '_ {
    move |error| SearchError::Index { path: path.to_owned(), reason: building_error(&error) }
}

/// What stopped a build, in words. An indexing thread that panicked (on a bug in the
/// analysis, which runs on tantivy's threads) is told by tantivy with the Rust form of
/// the panic's payload only, `An error occurred in a thread: 'Any { .. }'`.
fn building_error(error: &tantivy::TantivyError) -> String {
    match error {
        tantivy::TantivyError::ErrorInThread(text) if text.starts_with("Any") => {
            "a thread building the index stopped on a bug in daryn (the panic printed above says where); nothing \
             was published: please report it with that message"
                .to_owned()
        }
        other => other.to_string(),
    }
}

/// Whether a generation opens with every segment's files: a damaged one (a file lost or
/// cut short) is not built on, and the run builds the index whole instead of failing
/// every night until someone runs `daryn reindex`.
fn readable(folder: &Path) -> bool {
    match unopenable(folder) {
        None => true,
        Some(error) => {
            tracing::warn!(generation = %folder.display(), %error, "the previous search index cannot be read; building it whole");
            false
        }
    }
}

/// Why the generation in `folder` does not open as a search opens it (a segment file
/// lost or cut short, the folder gone), if it does not. Its files are not read whole:
/// `daryn check` verifies their checksums.
pub(crate) fn unopenable(folder: &Path) -> Option<String> {
    let opened: tantivy::Result<tantivy::IndexReader> = super::read_only::ReadOnlyDirectory::open(folder)
        .and_then(Index::open)
        .and_then(|index| index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into());
    opened.err().map(|error| super::read_only::described(&error))
}

pub fn read_meta(folder: &Path) -> Option<GenerationMeta> {
    let text = crate::read_regular(&folder.join(META_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Builds the search index of `version` and pins it there (`index_generation`). Call it
/// after the version's tables are written and before the version file is: see the
/// module documentation. `changed_regions` are the regions whose data differs from the
/// previous version; `None` re-indexes everything.
pub async fn index_version(
    store: &Store,
    version: &mut RegistryVersion,
    changed_regions: Option<&[String]>,
) -> SearchResult<IndexReport> {
    let started = Instant::now();
    let weights = &store.config().item15;
    let root = index_root(store);
    std::fs::create_dir_all(&root).map_err(SearchError::io(&root))?;
    let previous_version = store.current()?;
    let previous = previous_version.as_ref().and_then(|previous| previous.index_generation).filter(|generation| {
        let path = generation_path(store, *generation);
        read_meta(&path).is_some_and(|meta| {
            meta.format == INDEX_FORMAT
                && meta.item15 == weights.fingerprint()
                && meta.facets == FacetVocabulary::builtin().values()
        }) && readable(&path)
    });
    remove_leftovers(store)?;
    open_older_generations(store);

    let reader = VersionReader::open(store, version).await?;
    let all_regions: Vec<String> = version.regions.keys().cloned().collect();
    let (base, mut regions) = match (previous, changed_regions) {
        (Some(base), Some(changed)) => (Some(base), changed.to_vec()),
        _ => (None, all_regions.clone()),
    };
    if let (Some(_), Some(previous_version)) = (base, previous_version.as_ref())
        && previous_version.tables.get("conflicts") != version.tables.get("conflicts")
    {
        let before = VersionReader::open(store, previous_version).await?;
        for region in &all_regions {
            if before.conflict_losers(region).await? != reader.conflict_losers(region).await? {
                regions.push(region.clone());
            }
        }
    }
    let regions: Vec<String> = regions.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
    if let Some(base) = base
        && regions.is_empty()
    {
        version.index_generation = Some(base);
        return Ok(IndexReport {
            generation: base,
            incremental: true,
            regions,
            documents_added: 0,
            elapsed_ms: started.elapsed().as_millis() as u64,
        });
    }

    let generation = next_generation(store)?;
    let building = root.join(format!("{generation}.building"));
    let index = match base {
        Some(base) => {
            link_generation(&generation_path(store, base), &building)?;
            Index::open_in_dir(&building).map_err(tantivy_error(&building))?
        }
        None => {
            std::fs::create_dir_all(&building).map_err(SearchError::io(&building))?;
            Index::create_in_dir(&building, IndexFields::schema()).map_err(tantivy_error(&building))?
        }
    };
    register_analyzers(&index);
    let fields = IndexFields::of(&index.schema()).map_err(tantivy_error(&building))?;
    // A generation built on another keeps that one's children, keyed with the registry's
    // key: a new key would mix two pseudonyms for the same child in one index.
    let keyer = match base {
        Some(_) => ChildKeyer::load(store.root())?,
        None => {
            if !ChildKeyer::exists(store.root())
                && previous_version.as_ref().is_some_and(|v| v.index_generation.is_some())
            {
                tracing::warn!("`keys/child-key` is missing: a new key is made, and every `child_key` changes");
            }
            ChildKeyer::load_or_create(store.root())?
        }
    };
    let builder = DocumentBuilder { fields, keyer: &keyer, weights };
    let mut writer: IndexWriter<TantivyDocument> =
        index.writer_with_num_threads(2, WRITER_MEMORY).map_err(tantivy_error(&building))?;
    writer.set_merge_policy(Box::new(NoMergePolicy));

    let mut documents_added = 0u64;
    for region in &regions {
        writer.delete_term(Term::from_field_text(fields.tags, &tag("region", region)));
        if !version.regions.contains_key(region) {
            continue;
        }
        let rows = reader.region_rows(region).await?;
        let added = builder.region_documents(region, &rows, |document| writer.add_document(document).map(drop));
        documents_added += added.map_err(|error| thread_error(&mut writer, error)).map_err(tantivy_error(&building))?;
    }
    let payload = serde_json::json!({ "registry_version": version.version, "generation": generation });
    let mut commit = writer.prepare_commit().map_err(tantivy_error(&building))?;
    commit.set_payload(&payload.to_string());
    commit.commit().map_err(tantivy_error(&building))?;
    // The metas are dropped before merging: tantivy keeps the files of every segment
    // whose meta is still held somewhere, and would not collect the merged-away ones.
    let written_segments;
    let groups = {
        let segments = index.searchable_segment_metas().map_err(tantivy_error(&building))?;
        written_segments = segments.len();
        if segments.len() > SEARCH_SEGMENTS && (base.is_none() || segments.len() > MAX_SEGMENTS) {
            balanced_groups(&segments, SEARCH_SEGMENTS)
        } else {
            Vec::new()
        }
    };
    // All merges are started before any is waited for: they run on threads of their own,
    // one per group, and the groups are of equal size.
    let merges: Vec<_> = groups.iter().filter(|group| group.len() > 1).map(|group| writer.merge(group)).collect();
    for merge in merges {
        merge.wait().map_err(tantivy_error(&building))?;
    }
    writer.garbage_collect_files().wait().map_err(tantivy_error(&building))?;
    writer.wait_merging_threads().map_err(tantivy_error(&building))?;

    let searcher_segments = index.searchable_segment_ids().map_err(tantivy_error(&building))?.len();
    let documents = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
        .map_err(tantivy_error(&building))?
        .searcher()
        .num_docs();
    let meta = GenerationMeta {
        format: INDEX_FORMAT,
        generation,
        registry_version: version.version,
        based_on: base,
        regions: regions.clone(),
        documents,
        segments: searcher_segments,
        item15: weights.fingerprint(),
        facets: FacetVocabulary::builtin().values().to_vec(),
    };
    let meta_path = building.join(META_FILE);
    std::fs::write(&meta_path, serde_json::to_vec_pretty(&meta).expect("the meta serialises"))
        .map_err(SearchError::io(&meta_path))?;
    readable_as(&building, &meta_path)?;
    // Not synced here: `Store::publish` syncs everything the run wrote before the
    // version that pins this generation is written.
    pause_point("index-built");
    let finished = generation_path(store, generation);
    std::fs::rename(&building, &finished).map_err(SearchError::io(&finished))?;
    version.index_generation = Some(generation);
    let elapsed_ms = started.elapsed().as_millis() as u64;
    info!(
        generation,
        incremental = base.is_some(),
        regions = regions.len(),
        documents_added,
        written_segments,
        elapsed_ms,
        "search index built"
    );
    Ok(IndexReport { generation, incremental: base.is_some(), regions, documents_added, elapsed_ms })
}

/// The error an indexing thread stopped on. When one fails (on a full disk, as it writes
/// a segment's stored fields), `add_document` says only that the writer was killed;
/// joining the threads, as preparing a commit does, returns the thread's own error,
/// which names the file and the cause (`No space left on device`).
fn thread_error(writer: &mut IndexWriter<TantivyDocument>, error: tantivy::TantivyError) -> tantivy::TantivyError {
    if !matches!(error, tantivy::TantivyError::ErrorInThread(_)) {
        return error;
    }
    match writer.prepare_commit() {
        Err(cause) => cause,
        Ok(prepared) => {
            // No thread failed after all: the commit is let go, and the error stands.
            let _ = prepared.abort();
            error
        }
    }
}

/// Gives tantivy's own metadata files the permissions of `reference`, a file written as
/// every other file of the registry is. tantivy writes them through a temporary file,
/// readable by their owner only, so someone who may read the registry could not search
/// it.
fn readable_as(folder: &Path, reference: &Path) -> SearchResult<()> {
    #[cfg(unix)]
    {
        let permissions = std::fs::metadata(reference).map_err(SearchError::io(reference))?.permissions();
        for name in ["meta.json", ".managed.json"] {
            let path = folder.join(name);
            // Every publish goes over the kept generations: only what differs is changed.
            let Ok(now) = std::fs::metadata(&path) else { continue };
            if now.permissions() != permissions {
                std::fs::set_permissions(&path, permissions.clone()).map_err(SearchError::io(&path))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (folder, reference);
    Ok(())
}

/// Gives the generations built before [`readable_as`] was the same permissions, as far
/// as this account may change them (a generation it does not own is left as it is).
fn open_older_generations(store: &Store) {
    let Ok(folders) = generation_folders(store) else { return };
    for (_, folder) in folders {
        let reference = folder.join(META_FILE);
        if reference.exists()
            && let Err(error) = readable_as(&folder, &reference)
        {
            tracing::debug!(folder = %folder.display(), %error, "a generation's metadata left as it is");
        }
    }
}

/// Splits segments into `count` groups of about equal documents: the largest first,
/// each into the group that holds the fewest so far.
fn balanced_groups(segments: &[tantivy::index::SegmentMeta], count: usize) -> Vec<Vec<tantivy::index::SegmentId>> {
    let mut by_size: Vec<&tantivy::index::SegmentMeta> = segments.iter().collect();
    by_size.sort_by_key(|segment| std::cmp::Reverse(segment.num_docs()));
    let mut groups: Vec<(u64, Vec<tantivy::index::SegmentId>)> = vec![(0, Vec::new()); count];
    for segment in by_size {
        let smallest = groups.iter_mut().min_by_key(|(documents, _)| *documents).expect("count is at least 1");
        smallest.0 += u64::from(segment.num_docs());
        smallest.1.push(segment.id());
    }
    groups.into_iter().map(|(_, ids)| ids).filter(|ids| !ids.is_empty()).collect()
}

/// One more than every generation on disk or pinned, so a generation folder is never reused.
fn next_generation(store: &Store) -> SearchResult<u64> {
    let mut highest = 0;
    for version in store.versions()? {
        highest = highest.max(version.index_generation.unwrap_or(0));
    }
    for (generation, _) in generation_folders(store)? {
        highest = highest.max(generation);
    }
    Ok(highest + 1)
}

fn generation_folders(store: &Store) -> SearchResult<Vec<(u64, PathBuf)>> {
    let root = index_root(store);
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(&root).map_err(SearchError::io(&root))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let number = name.strip_suffix(".building").unwrap_or(&name);
        if let Ok(generation) = number.parse::<u64>()
            && generation <= crate::store::MAX_NUMBER
        {
            folders.push((generation, entry.path()));
        }
    }
    Ok(folders)
}

/// `daryn reindex`: publishes version N + 1 of the current version N, the same tables and
/// drops with a search index built anew, whole, by this daryn. For an index a newer
/// daryn cannot read, or teachers' scores made with item 15's weights `daryn.toml` no
/// longer has, when no drop has changed and so no ingest publishes. Version N keeps its
/// generation, so `--as-of N` still finds what it found. The caller holds the lock.
pub async fn reindex(store: &Store) -> SearchResult<(RegistryVersion, IndexReport)> {
    let started = std::time::SystemTime::now();
    let current = store.resolve(None)?;
    let mut version = RegistryVersion {
        format: crate::store::VERSION_FORMAT,
        version: current.version + 1,
        created_at: chrono::Utc::now(),
        run: Vec::new(),
        reindexed: true,
        ..current
    };
    let report = index_version(store, &mut version, None).await?;
    // A killed ingest may have left its coordinators' files under this number.
    store.remove_unpublished_reports()?;
    store.publish(&version, started)?;
    Ok((version, report))
}

/// Removes what a crashed run left: folders still building, and finished generations
/// newer than every generation a kept version pins.
fn remove_leftovers(store: &Store) -> SearchResult<()> {
    let pinned: HashSet<u64> = store.versions()?.iter().filter_map(|version| version.index_generation).collect();
    let newest_pinned = pinned.iter().copied().max().unwrap_or(0);
    for (generation, path) in generation_folders(store)? {
        let building = path.extension().is_some_and(|extension| extension == "building");
        if building || (generation > newest_pinned && !pinned.contains(&generation)) {
            std::fs::remove_dir_all(&path).map_err(SearchError::io(&path))?;
        }
    }
    Ok(())
}

/// Removes every generation that no kept version pins: `daryn vacuum` calls it, holding
/// the registry's lock, after removing versions. Returns how many folders went.
pub fn remove_unpinned(store: &Store) -> SearchResult<u64> {
    let root = index_root(store);
    if !root.exists() {
        return Ok(0);
    }
    let pinned: HashSet<u64> = store.versions()?.iter().filter_map(|version| version.index_generation).collect();
    let mut removed = 0;
    for (generation, path) in generation_folders(store)? {
        let building = path.extension().is_some_and(|extension| extension == "building");
        if building || !pinned.contains(&generation) {
            std::fs::remove_dir_all(&path).map_err(SearchError::io(&path))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Gives `to` the files of the generation `from`, as hard links (copies where the file
/// system cannot link). Lock files and Daryn's meta stay behind.
fn link_generation(from: &Path, to: &Path) -> SearchResult<()> {
    std::fs::create_dir_all(to).map_err(SearchError::io(to))?;
    for entry in std::fs::read_dir(from).map_err(SearchError::io(from))?.flatten() {
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text == META_FILE || text.ends_with(".lock") || !entry.path().is_file() {
            continue;
        }
        let target = to.join(&name);
        if std::fs::hard_link(entry.path(), &target).is_err() {
            std::fs::copy(entry.path(), &target).map_err(SearchError::io(&target))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicked_indexing_thread_is_told_as_a_bug_and_other_errors_as_tantivy_says_them() {
        // What tantivy makes of a joined thread's panic: the Rust form of its payload.
        let payload: Box<dyn std::any::Any + Send> = Box::new("index out of bounds");
        let panicked = tantivy::TantivyError::ErrorInThread(format!("{payload:?}"));
        let told = building_error(&panicked);
        assert!(told.starts_with("a thread building the index stopped on a bug in daryn"), "{told}");
        assert!(!told.contains("Any"), "{told}");
        let killed = tantivy::TantivyError::ErrorInThread("The index writer was killed.".to_owned());
        assert_eq!(building_error(&killed), killed.to_string());
    }
}
