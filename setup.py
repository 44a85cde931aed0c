"""Packaging for regression_course: every field comes from settings.ini (nbdev 2 convention)."""
import shlex
from configparser import ConfigParser

import setuptools

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

expected = 'version description keywords author author_email'.split()
missing = [o for o in expected if o not in cfg]
if missing: raise ValueError(f'settings.ini is missing: {", ".join(missing)}')

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable',
            '6 - Mature', '7 - Inactive']
py_versions = ['3.10', '3.11', '3.12', '3.13']

lic = licenses.get(cfg['license'].lower(), (cfg['license'], None))
requirements = shlex.split(cfg.get('requirements', ''))
dev_requirements = shlex.split(cfg.get('dev_requirements', ''))

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    keywords=cfg['keywords'].split(),
    author=cfg['author'],
    author_email=cfg['author_email'],
    license=lic[0],
    classifiers=[
        'Development Status :: ' + statuses[int(cfg['status'])],
        'Intended Audience :: ' + cfg['audience'].title(),
        'Natural Language :: ' + cfg['language'].title(),
    ] + ([f'License :: {lic[1]}'] if lic[1] else [])
      + [f'Programming Language :: Python :: {v}' for v in py_versions],
    url=cfg['git_url'] % {'user': cfg['user'], 'repo': cfg['repo']},
    project_urls={'Source': cfg['git_url'] % {'user': cfg['user'], 'repo': cfg['repo']}},
    packages=setuptools.find_packages(include=['regression_course', 'regression_course.*']),
    include_package_data=True,
    package_data={'regression_course': ['templates/*.html']},
    install_requires=requirements,
    extras_require={'dev': dev_requirements},
    python_requires='>=' + cfg['min_python'],
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={'nbdev': [f'{cfg["lib_path"]}={cfg["lib_path"]}._modidx:d']},
    scripts=[],
)
