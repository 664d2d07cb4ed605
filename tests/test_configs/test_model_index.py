"""model-index.yml (mmpretrain's format, read by mim) lists every config: each config file outside
the `_base_` folders is a Model of a metafile that model-index.yml imports, and every listed
Config exists."""
import glob
import os.path as osp

import yaml

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def listed_models():
    index = yaml.safe_load(open(osp.join(REPO, 'model-index.yml')))
    models = []
    for metafile in index['Import']:
        meta = yaml.safe_load(open(osp.join(REPO, metafile)))
        collections = {c['Name'] for c in meta.get('Collections', [])}
        for model in meta['Models']:
            assert model['In Collection'] in collections, (metafile, model['Name'])
            models.append((metafile, model))
    return models


def test_every_config_is_in_a_metafile_of_the_model_index():
    configs = {osp.relpath(p, REPO) for p in glob.glob(f'{REPO}/configs/**/*.py', recursive=True)
               if '_base_' not in p.split(osp.sep)}
    listed = {model['Config'] for _, model in listed_models()}
    assert not configs - listed, f'add these to their folder\'s metafile.yml: {sorted(configs - listed)}'


def test_every_listed_config_exists_once_under_its_folder():
    names = [model['Name'] for _, model in listed_models()]
    assert len(names) == len(set(names))
    for metafile, model in listed_models():
        assert osp.isfile(osp.join(REPO, model['Config'])), (metafile, model['Config'])
        assert osp.dirname(model['Config']) == osp.dirname(metafile), (metafile, model['Config'])
        assert model['Name'] == osp.basename(model['Config'])[:-3], (metafile, model['Name'])


def test_every_config_folder_has_a_readme_and_an_imported_metafile():
    index = yaml.safe_load(open(osp.join(REPO, 'model-index.yml')))
    folders = {osp.dirname(osp.relpath(p, REPO)) for p in glob.glob(f'{REPO}/configs/*/*.py')
               if osp.basename(osp.dirname(p)) != '_base_'}
    for folder in folders:
        assert osp.isfile(osp.join(REPO, folder, 'README.md')), folder
        assert f'{folder}/metafile.yml' in index['Import'], folder
