/**
 * Imported before the host by the indexing phase's unindexed host (indexing.ts): its search
 * segment builder gathers no words as messages commit (search/segment-words.ts), as a host without
 * the index would not, so that the work of gathering them is counted against the index.
 */
import { SegmentWords } from '../../host/search/segment-words.js';

SegmentWords.prototype.add = () => null;
