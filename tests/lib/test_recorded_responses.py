"""Every recorded real response in the shared data is read, with the outcome it should have."""

from __future__ import annotations

import pytest

from paperfeed.lib.arxiv_api import ArxivApiError, read_atom_file
from paperfeed.lib.oai import OaiError, read_oai_file
from paperfeed.lib.records import PaperRecord
from tests.support import SHARED_DATA

FIXTURES = SHARED_DATA / "fixtures"

# Papers each recorded Atom response holds; None: arXiv's error feed.
ATOM = {
    "id_0000.0000_s0_m100_8b51d9633a68.json": 0,
    "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json": 1,
    "id_0808.05394_s0_m100_7b0c7d0a7cdd.json": 0,
    "id_1605.08386_s0_m100_199195aa31ad.json": 1,
    "id_1707.08567_s0_m100_6a1afebfc6a3.json": 1,
    "id_2104.12255v1_s0_m100_6ae69987ffe1.json": 1,
    "id_abc_s0_m100_b79c8dcf6bc3.json": None,
    "id_astro-ph_0601001_s0_m100_3150dca9dc76.json": 1,
    "id_quant-ph_0201082v1_s0_m100_86989fe779ef.json": 1,
    "q_testing_s0_m100_cfe7536492ca.json": 100,
    "q_testing_s0_m10_bc5a6c384fe9.json": 10,
    "q_testing_s0_m15_80c242b59d59.json": 15,
    "q_testing_s10_m10_34e56e15aaac.json": 10,
    "q_testing_s20_m10_348a237fecab.json": 10,
    "q_testing_s30_m10_f2e39f0143dc.json": 10,
    "q_testing_s40_m10_96dd32eb854c.json": 10,
    "q_testing_s50_m10_7f488ab8598c.json": 10,
    "q_testing_s5_m10_c0e94a259d4a.json": 10,
    "q_testing_s5_m15_bbcf6b23085b.json": 15,
    "q_testing_s9_m15_0b78d4b4d476.json": 15,
}

# Papers each recorded OAI-PMH response holds; a string: the OAI error code it raises.
OAI = {
    "arxivraw/ErrorResponseBadArgument.xml": "badArgument",
    "arxivraw/ErrorResponseBadResumptionToken.xml": "badResumptionToken",
    "arxivraw/ErrorResponseBadVerb.xml": "badVerb",
    "arxivraw/ErrorResponseIdDoesNotExist.xml": "idDoesNotExist",
    "arxivraw/ErrorResponseNoRecordsMatch.xml": 0,
    "arxivraw/GetRecordResponse.xml": 1,
    "arxivraw/ListRecordsResponse.xml": 6,
    "arxiv-format/oaipmh-getrecord---should-get-a-record.json": 1,
    "arxiv-format/oaipmh-identify---should-identify-arxiv.json": 0,
    "arxiv-format/oaipmh-listidentifiers---should-list-identifiers-from-arxiv.json": 0,
    "arxiv-format/oaipmh-listidentifiers---should-list-identifiers-with-resumption-token-from-exlibris.json": 0,  # noqa: E501
    "arxiv-format/oaipmh-listidentifiers---should-list-identifiers-with-resumption-token-from-gulbenkian.json": 0,  # noqa: E501
    "arxiv-format/oaipmh-listmetadataformats---should-fail-for-non-existent-arxiv-id-lolcat.json": "empty",  # noqa: E501
    "arxiv-format/oaipmh-listmetadataformats---should-list-metadata-formats-for-arxiv-id-1208-0264.json": 0,  # noqa: E501
    "arxiv-format/oaipmh-listmetadataformats---should-list-metadata-formats-for-arxiv.json": 0,
    "arxiv-format/oaipmh-listrecords---should-list-identifiers-from-arxiv.json": 2,
    "arxiv-format/oaipmh-listsets---should-list-arxiv-sets.json": 0,
}


def test_the_tables_name_every_recorded_response() -> None:
    assert sorted(p.name for p in (FIXTURES / "arxiv-atom").glob("*.json")) == sorted(ATOM)
    oai = FIXTURES / "oai-pmh"
    on_disk = sorted(str(p.relative_to(oai)) for p in oai.glob("*/*") if p.suffix != ".md")
    assert on_disk == sorted(OAI)


@pytest.mark.parametrize(("name", "papers"), sorted(ATOM.items()))
def test_every_recorded_atom_response(name: str, papers: int | None) -> None:
    if papers is None:
        with pytest.raises(ArxivApiError, match="incorrect id format"):
            read_atom_file(FIXTURES / "arxiv-atom" / name)
        return
    page = read_atom_file(FIXTURES / "arxiv-atom" / name)
    assert len(page.entries) == papers
    assert all(isinstance(e, PaperRecord) and e.title and e.authors for e in page.entries)


@pytest.mark.parametrize(("name", "expected"), sorted(OAI.items()))
def test_every_recorded_oai_response(name: str, expected: int | str) -> None:
    path = FIXTURES / "oai-pmh" / name
    if isinstance(expected, str):
        with pytest.raises(OaiError) as raised:
            read_oai_file(path)
        if expected == "empty":
            assert "holds no recorded OAI-PMH response" in str(raised.value)
        else:
            assert raised.value.code == expected
        return
    page = read_oai_file(path)
    assert len(page.records) == expected
    assert all(isinstance(r, PaperRecord) and r.title for r in page.records)
